package import Foundation
import Postgres
package import SmsHubDomain

package struct PostgresTemplateRepository: TemplateRepository {
    let database: Database

    package init(database: Database) {
        self.database = database
    }

    /// A template's row with its mappings as one JSON object keyed by account id.
    static let select = """
        SELECT t.id, t.name, t.category, t.body, t.created_at,
               (SELECT coalesce(json_agg(json_build_array(m.provider_account_id, a.provider, m.mapping)), '[]')::text
                FROM template_mappings m JOIN provider_accounts a ON a.tenant_id = m.tenant_id AND a.id = m.provider_account_id
                WHERE m.tenant_id = t.tenant_id AND m.template_id = t.id) AS mappings
        FROM templates t
        """

    static func template(_ row: PGRow) throws -> Template {
        let text: String = try row.decode("body")
        guard case .success(let body) = TemplateBody.parse(text) else {
            throw PGError(kind: .decoding, message: "a stored template body no longer parses")
        }
        var mappings: [UUID: TemplateMapping] = [:]
        if case .array(let entries)? = try? JSONReader.parse(Array(try row.decode("mappings", as: String.self).utf8), duplicates: .refuseDiffering) {
            for case .array(let entry) in entries where entry.count == 3 {
                guard case .string(let idText) = entry[0], let id = UUID(uuidString: idText),
                    case .string(let providerText) = entry[1], let provider = Provider(rawValue: providerText),
                    case .success(let mapping) = TemplateMapping.read(entry[2], provider: provider)
                else { continue }
                mappings[id] = mapping
            }
        }
        return Template(
            id: try row.decode("id"),
            name: try row.decode("name"),
            category: TemplateCategory(rawValue: try row.decode("category")) ?? .notification,
            body: body,
            mappings: mappings,
            createdAt: try row.decode("created_at")
        )
    }

    package func create(tenantID: UUID, name: String, category: TemplateCategory, body: TemplateBody) async throws -> Template {
        do {
            return try await self.database.withTenant(tenantID) { session in
                let row = try await session.query(
                    """
                    INSERT INTO templates (tenant_id, name, category, body) VALUES (\(tenantID), \(name), \(category.rawValue), \(body.text))
                    RETURNING id, created_at
                    """
                ).first
                guard let row else { throw PGError(kind: .decoding, message: "INSERT … RETURNING gave no row") }
                return Template(
                    id: try row.decode("id"),
                    name: name,
                    category: category,
                    body: body,
                    mappings: [:],
                    createdAt: try row.decode("created_at")
                )
            }
        } catch let error as PGError where error.sqlState == SQLState.uniqueViolation {
            throw NameTaken()
        }
    }

    package func list(tenantID: UUID) async throws -> [Template] {
        try await self.database.withTenant(tenantID) { session in
            try await session.query(
                "\(unescaped: Self.select) WHERE t.tenant_id = \(tenantID) ORDER BY t.name LIMIT \(TemplateService.maxTemplatesPerTenant + 1)"
            ).rows.map(Self.template)
        }
    }

    package func get(tenantID: UUID, id: UUID) async throws -> Template? {
        try await self.database.withTenant(tenantID) { session in
            try await session.query("\(unescaped: Self.select) WHERE t.tenant_id = \(tenantID) AND t.id = \(id)").first.map(Self.template)
        }
    }

    package func delete(tenantID: UUID, id: UUID) async throws -> Bool {
        try await self.database.withTenant(tenantID) { session in
            try await session.query("DELETE FROM templates WHERE tenant_id = \(tenantID) AND id = \(id)").affectedRows == 1
        }
    }

    package func setMapping(tenantID: UUID, templateID: UUID, accountID: UUID, _ mapping: TemplateMapping) async throws -> Bool {
        try await self.database.withTenant(tenantID) { session in
            try await session.query(
                """
                INSERT INTO template_mappings (tenant_id, template_id, provider_account_id, mapping)
                SELECT \(tenantID), t.id, \(accountID), \(PGJSON(text: mapping.jsonText)) FROM templates t
                WHERE t.tenant_id = \(tenantID) AND t.id = \(templateID)
                ON CONFLICT (tenant_id, template_id, provider_account_id) DO UPDATE SET mapping = excluded.mapping, updated_at = now()
                """
            ).affectedRows == 1
        }
    }

    package func removeMapping(tenantID: UUID, templateID: UUID, accountID: UUID) async throws -> Bool {
        try await self.database.withTenant(tenantID) { session in
            try await session.query(
                "DELETE FROM template_mappings WHERE tenant_id = \(tenantID) AND template_id = \(templateID) AND provider_account_id = \(accountID)"
            ).affectedRows == 1
        }
    }

    package func rejected(tenantID: UUID, _ templates: [ProviderTemplate]) async throws -> [ProviderTemplate] {
        guard !templates.isEmpty else { return [] }
        return try await self.database.withTenant(tenantID) { session in
            try await session.query(
                """
                SELECT k.account_id, k.subject FROM unnest(\(templates.map(\.accountID))::uuid[], \(templates.map(\.id))::text[]) AS k(account_id, subject)
                CROSS JOIN LATERAL (SELECT e.result FROM review_events e
                                    WHERE e.tenant_id = \(tenantID) AND e.provider_account_id = k.account_id AND e.kind = 'template'
                                      AND e.subject = k.subject
                                    ORDER BY e.received_at DESC, e.id DESC LIMIT 1) latest
                WHERE latest.result = 'rejected'
                """
            ).rows.map { ProviderTemplate(accountID: try $0.decode("account_id"), id: try $0.decode("subject")) }
        }
    }
}
