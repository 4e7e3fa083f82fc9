package import Foundation

/// A tenant's hub template: what a send names instead of raw content, with each account's own
/// template for it (`TemplateMapping`).
package struct Template: Sendable, Equatable {
    package var id: UUID
    package var name: String
    package var category: TemplateCategory
    package var body: TemplateBody
    package var mappings: [UUID: TemplateMapping]
    package var createdAt: Date

    package init(id: UUID, name: String, category: TemplateCategory, body: TemplateBody, mappings: [UUID: TemplateMapping], createdAt: Date) {
        self.id = id
        self.name = name
        self.category = category
        self.body = body
        self.mappings = mappings
        self.createdAt = createdAt
    }
}

package protocol TemplateRepository: Sendable {
    /// Throws `NameTaken` when the tenant has a template of this name.
    func create(tenantID: UUID, name: String, category: TemplateCategory, body: TemplateBody) async throws -> Template
    func list(tenantID: UUID) async throws -> [Template]
    func get(tenantID: UUID, id: UUID) async throws -> Template?
    func delete(tenantID: UUID, id: UUID) async throws -> Bool
    /// False when the tenant has no such template.
    func setMapping(tenantID: UUID, templateID: UUID, accountID: UUID, _ mapping: TemplateMapping) async throws -> Bool
    func removeMapping(tenantID: UUID, templateID: UUID, accountID: UUID) async throws -> Bool
    /// Of these (account, provider template id) pairs, those whose latest template review event is a
    /// rejection.
    func rejected(tenantID: UUID, _ templates: [ProviderTemplate]) async throws -> [ProviderTemplate]
}

/// One account's own template, as its review events name it.
package struct ProviderTemplate: Sendable, Hashable {
    package var accountID: UUID
    package var id: String

    package init(accountID: UUID, id: String) {
        self.accountID = accountID
        self.id = id
    }
}
