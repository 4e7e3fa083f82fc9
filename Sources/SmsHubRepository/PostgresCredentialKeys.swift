package import Foundation
import Postgres

/// Which master key seals each provider account's credentials and each webhook endpoint's signing
/// secrets, across tenants (as smshub_admin, which
/// may read the key ids but has no key to open anything). For the start-up report and `smshub rekey`.
package struct PostgresCredentialKeys: Sendable {
    let database: Database

    package init(database: Database) {
        self.database = database
    }

    /// Sealed boxes (accounts' credentials and endpoints' secrets) per master key id.
    package func countsByKey() async throws -> [String: Int] {
        try await self.database.asAdmin { session in
            var counts: [String: Int] = [:]
            let tables = SealedBoxes.allCases.map { "SELECT secrets_key_id FROM \($0.rawValue)" }.joined(separator: " UNION ALL ")
            let rows = try await session.query("SELECT secrets_key_id, count(*) AS n FROM (\(unescaped: tables)) boxes GROUP BY secrets_key_id").rows
            for row in rows {
                counts[try row.decode("secrets_key_id")] = try row.decode("n")
            }
            return counts
        }
    }

    /// Up to `limit` rows of `boxes` sealed under another key than `keyID`, in a stable order,
    /// skipping `excluded` (rows a rekey pass could not open).
    package func sealedUnderOtherKeys(
        _ boxes: SealedBoxes,
        than keyID: String,
        excluding excluded: [UUID],
        limit: Int
    ) async throws -> [(tenantID: UUID, id: UUID)] {
        try await self.database.asAdmin { session in
            try await session.query(
                """
                SELECT tenant_id, id FROM \(unescaped: boxes.rawValue)
                WHERE secrets_key_id <> \(keyID) AND NOT (id = ANY(\(excluded)))
                ORDER BY tenant_id, id LIMIT \(limit)
                """
            ).rows.map { (try $0.decode("tenant_id"), try $0.decode("id")) }
        }
    }
}

/// The tables holding boxes sealed with a master key (`secrets`, `secrets_key_id`).
package enum SealedBoxes: String, CaseIterable, Sendable {
    case providerCredentials = "provider_accounts"
    case webhookSecrets = "webhook_endpoints"
}
