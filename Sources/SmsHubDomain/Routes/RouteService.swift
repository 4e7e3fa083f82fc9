package import Foundation

/// Creating and removing routes. A message keeps the accounts of the route it was sent with, so a
/// route may be removed while messages sent on it are still going out.
package struct RouteService: Sendable {
    let routes: any RouteRepository
    let accounts: any ProviderAccountRepository

    package init(routes: any RouteRepository, accounts: any ProviderAccountRepository) {
        self.routes = routes
        self.accounts = accounts
    }

    package static let maxRoutesPerTenant = 100

    package enum Failure: Error, Sendable, Equatable {
        case invalid([FieldProblem])
        case nameTaken
        case defaultTaken
        case tooManyRoutes
    }

    package func create(tenantID: UUID, name: String, accountIDs: [UUID], isDefault: Bool) async throws -> SendRoute {
        var found: [ProviderAccount] = []
        for id in Set(accountIDs.prefix(RouteRules.maxSteps)) {
            if let account = try await self.accounts.get(tenantID: tenantID, id: id) { found.append(account) }
        }
        let validated: RouteRules.Validated
        switch RouteRules.validate(name: name, accountIDs: accountIDs, accounts: found) {
        case .success(let value): validated = value
        case .failure(let invalid): throw Failure.invalid(invalid.problems)
        }
        guard try await self.routes.list(tenantID: tenantID).count < Self.maxRoutesPerTenant else { throw Failure.tooManyRoutes }
        do {
            return try await self.routes.create(tenantID: tenantID, validated, isDefault: isDefault)
        } catch is NameTaken {
            throw Failure.nameTaken
        } catch is DuplicateDefaultAccount {
            throw Failure.defaultTaken
        }
    }
}
