package import Foundation
import Postgres
package import SmsHubDomain

package struct PostgresAPIKeyRepository: APIKeyRepository {
    let database: Database

    package init(database: Database) {
        self.database = database
    }

    static let columns = "id, tenant_id, name, prefix, created_at, revoked_at"

    package func create(tenantID: UUID, name: String, material: APIKeyMaterial) async throws -> APIKey {
        try await self.database.asAdmin { session in
            let result = try await session.query(
                """
                INSERT INTO api_keys (tenant_id, name, prefix, key_hash)
                VALUES (\(tenantID), \(name), \(material.prefix), \(PGBytes(material.hash)))
                RETURNING \(unescaped: Self.columns)
                """
            )
            return try Self.key(result.first!)
        }
    }

    package func list(tenantID: UUID) async throws -> [APIKey] {
        try await self.database.asAdmin { session in
            let result = try await session.query(
                "SELECT \(unescaped: Self.columns) FROM api_keys WHERE tenant_id = \(tenantID) ORDER BY created_at DESC, id DESC"
            )
            return try result.rows.map(Self.key)
        }
    }

    package func revoke(tenantID: UUID, keyID: UUID) async throws -> APIKey? {
        try await self.database.asAdmin { session in
            let result = try await session.query(
                """
                UPDATE api_keys SET revoked_at = coalesce(revoked_at, now())
                WHERE tenant_id = \(tenantID) AND id = \(keyID)
                RETURNING \(unescaped: Self.columns)
                """
            )
            return try result.first.map(Self.key)
        }
    }

    package func lookup(hash: [UInt8]) async throws -> APIKeyLookup? {
        let result = try await self.database.lookupAcrossTenants(
            "SELECT tenant_id, key_id, tenant_status, key_revoked, rate_limits FROM authenticate_api_key_with_limits(\(PGBytes(hash)))"
        )
        guard let row = result.first else { return nil }
        let status: String = try row.decode("tenant_status")
        return APIKeyLookup(
            tenantID: try row.decode("tenant_id"),
            keyID: try row.decode("key_id"),
            tenantStatus: TenantStatus(rawValue: status) ?? .disabled,
            revoked: try row.decode("key_revoked"),
            rateLimits: TenantRateLimits(json: try row.decode("rate_limits"))
        )
    }

    static func key(_ row: PGRow) throws -> APIKey {
        APIKey(
            id: try row.decode("id"),
            tenantID: try row.decode("tenant_id"),
            name: try row.decode("name"),
            prefix: try row.decode("prefix"),
            createdAt: try row.decode("created_at"),
            revokedAt: try row.decode("revoked_at")
        )
    }
}
