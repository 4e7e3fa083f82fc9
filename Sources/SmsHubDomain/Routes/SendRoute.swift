package import Foundation

/// A tenant's route: the accounts a send tries in order (`RouteRules`).
package struct SendRoute: Sendable, Equatable {
    package var id: UUID
    package var name: String
    package var accountIDs: [UUID]
    /// Used by a send that names neither a route nor an account.
    package var isDefault: Bool
    package var createdAt: Date

    package init(id: UUID, name: String, accountIDs: [UUID], isDefault: Bool, createdAt: Date) {
        self.id = id
        self.name = name
        self.accountIDs = accountIDs
        self.isDefault = isDefault
        self.createdAt = createdAt
    }
}

/// A name already in use by another of the tenant's routes or templates.
package struct NameTaken: Error, Sendable {
    package init() {}
}

package protocol RouteRepository: Sendable {
    /// Throws `NameTaken`, or `DuplicateDefaultAccount` when another route is the default already.
    func create(tenantID: UUID, _ route: RouteRules.Validated, isDefault: Bool) async throws -> SendRoute
    /// The tenant's routes by name (at most `RouteService.maxRoutesPerTenant`).
    func list(tenantID: UUID) async throws -> [SendRoute]
    func get(tenantID: UUID, id: UUID) async throws -> SendRoute?
    func defaultRoute(tenantID: UUID) async throws -> SendRoute?
    /// False when the tenant has no such route.
    func delete(tenantID: UUID, id: UUID) async throws -> Bool
}
