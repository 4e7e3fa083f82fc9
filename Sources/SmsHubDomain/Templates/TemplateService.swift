package import Foundation

/// Registering hub templates and mapping them to each account's provider template.
package struct TemplateService: Sendable {
    let templates: any TemplateRepository
    let accounts: any ProviderAccountRepository

    package init(templates: any TemplateRepository, accounts: any ProviderAccountRepository) {
        self.templates = templates
        self.accounts = accounts
    }

    package static let maxTemplatesPerTenant = 1000

    package enum Failure: Error, Sendable, Equatable {
        case invalid([FieldProblem])
        case nameTaken
        case tooManyTemplates
        case notFound
    }

    package func create(tenantID: UUID, name: String, category: String, body: String) async throws -> Template {
        var problems: [FieldProblem] = []
        let normalised = NameRules.normalise(name)
        if normalised == nil { problems.append(NameRules.problem()) }
        let kind = TemplateCategory(rawValue: category)
        if kind == nil {
            problems.append(
                FieldProblem(field: "category", message: "must be one of \(TemplateCategory.allCases.map(\.rawValue).joined(separator: ", "))")
            )
        }
        var parsed: TemplateBody?
        switch TemplateBody.parse(body) {
        case .success(let value): parsed = value
        case .failure(let invalid): problems += invalid.problems
        }
        if let kind, let parsed { problems += CategoryRules.problems(parsed.text, category: kind, field: "body") }
        guard problems.isEmpty, let normalised, let kind, let parsed else { throw Failure.invalid(problems) }
        guard try await self.templates.list(tenantID: tenantID).count < Self.maxTemplatesPerTenant else { throw Failure.tooManyTemplates }
        do {
            return try await self.templates.create(tenantID: tenantID, name: normalised, category: kind, body: parsed)
        } catch is NameTaken {
            throw Failure.nameTaken
        }
    }

    /// Maps the template to one of the tenant's accounts; `value` is read by the account's provider.
    package func map(tenantID: UUID, templateID: UUID, accountID: UUID, _ value: JSONValue) async throws -> Template {
        guard let template = try await self.templates.get(tenantID: tenantID, id: templateID) else { throw Failure.notFound }
        guard let account = try await self.accounts.get(tenantID: tenantID, id: accountID) else { throw Failure.notFound }
        let mapping: TemplateMapping
        switch TemplateMapping.read(value, provider: account.provider) {
        case .success(let read): mapping = read
        case .failure(let invalid): throw Failure.invalid(invalid.problems)
        }
        let problems = mapping.problems(for: template.body)
        guard problems.isEmpty else { throw Failure.invalid(problems) }
        guard try await self.templates.setMapping(tenantID: tenantID, templateID: templateID, accountID: accountID, mapping) else {
            throw Failure.notFound
        }
        var updated = template
        updated.mappings[accountID] = mapping
        return updated
    }
}
