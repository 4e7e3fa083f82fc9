package import Foundation
import Postgres
package import SmsHubDomain

/// The opt-out list as the API reads and edits it (`/v1/opt-outs`).
package struct PostgresOptOutRepository: OptOutRepository {
    let database: Database

    package init(database: Database) {
        self.database = database
    }

    package func list(tenantID: UUID, number: String?, after: PageCursor?, limit: Int) async throws -> Page<OptOutEntry> {
        var conditions: [PGQuery] = ["tenant_id = \(tenantID)"]
        if let number { conditions.append("number_e164 = \(number)") }
        if let after { conditions.append("(created_at, id) < (\(after.time), \(after.id))") }
        return try await self.database.withTenant(tenantID) { session in
            let rows = try await session.query(
                """
                SELECT \(unescaped: OptOutWrites.columns) FROM opt_outs WHERE \(fragment: PGQuery.joined(conditions, separator: " AND "))
                ORDER BY created_at DESC, id DESC LIMIT \(limit + 1)
                """
            ).rows
            return Page(overfetched: try rows.map(OptOutWrites.entry), limit: limit) { PageCursor(time: $0.createdAt, id: $0.id) }
        }
    }

    package func number(tenantID: UUID, number: String, historyLimit: Int) async throws -> (entries: [OptOutEntry], history: [OptOutChange]) {
        try await self.database.withTenant(tenantID) { session in
            let entries = try await session.query(
                """
                SELECT \(unescaped: OptOutWrites.columns) FROM opt_outs WHERE tenant_id = \(tenantID) AND number_e164 = \(number)
                ORDER BY created_at DESC, id DESC
                """
            ).rows.map(OptOutWrites.entry)
            let history = try await session.query(
                """
                SELECT \(unescaped: OptOutWrites.columns), action FROM opt_out_changes WHERE tenant_id = \(tenantID) AND number_e164 = \(number)
                ORDER BY created_at DESC, id DESC LIMIT \(historyLimit)
                """
            ).rows.map { row in
                OptOutChange(
                    id: try row.decode("id"),
                    number: try row.decode("number_e164"),
                    scope: OptOutScope(rawValue: try row.decode("scope")) ?? .all,
                    action: OptOutChange.Action(rawValue: try row.decode("action")) ?? .added,
                    cause: try OptOutWrites.cause(row),
                    createdAt: try row.decode("created_at")
                )
            }
            return (entries, history)
        }
    }

    package func add(tenantID: UUID, number: String, scope: OptOutScope, cause: OptOutCause) async throws -> (entry: OptOutEntry, added: Bool) {
        try await self.database.withTenant(tenantID) { session in
            if let added = try await OptOutWrites.add([.init(number: number, scope: scope, cause: cause)], tenantID: tenantID, session: session).first
            {
                return (added, true)
            }
            guard
                let row = try await session.query(
                    """
                    SELECT \(unescaped: OptOutWrites.columns) FROM opt_outs
                    WHERE tenant_id = \(tenantID) AND number_e164 = \(number) AND scope = \(scope.rawValue)
                    """
                ).first
            else { throw PGError(kind: .decoding, message: "an opt-out neither added nor found") }
            return (try OptOutWrites.entry(row), false)
        }
    }

    package func remove(tenantID: UUID, number: String, scope: OptOutScope, cause: OptOutCause) async throws -> Bool {
        try await self.database.withTenant(tenantID) { session in
            try await OptOutWrites.remove(number: number, matching: "scope = \(scope.rawValue)", cause: cause, tenantID: tenantID, session: session)
                > 0
        }
    }
}

package struct PostgresSendRulesRepository: SendRulesRepository {
    let database: Database

    package init(database: Database) {
        self.database = database
    }

    package func get(tenantID: UUID) async throws -> SendRules {
        try await self.database.withTenant(tenantID) { session in
            let row = try await session.query("SELECT rules::text AS rules FROM tenant_send_rules WHERE tenant_id = \(tenantID)").first
            return try row.map { SendRules(stored: try $0.decode("rules")) } ?? SendRules()
        }
    }

    package func put(tenantID: UUID, _ rules: SendRules) async throws {
        _ = try await self.database.withTenant(tenantID) { session in
            try await session.query(
                """
                INSERT INTO tenant_send_rules (tenant_id, rules) VALUES (\(tenantID), \(PGJSON(text: rules.json)))
                ON CONFLICT (tenant_id) DO UPDATE SET rules = EXCLUDED.rules, updated_at = now()
                """
            )
        }
    }
}
