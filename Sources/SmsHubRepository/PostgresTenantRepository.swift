package import Foundation
import Postgres
package import SmsHubDomain

package struct PostgresTenantRepository: TenantRepository {
    let database: Database

    package init(database: Database) {
        self.database = database
    }

    static let columns =
        "id, name, status, created_at, updated_at, disabled_at, redact_after_days, delete_after_days, redacted_before, deleted_before, rate_limits::text AS rate_limits"

    package func create(name: String) async throws -> Tenant {
        try await self.database.asAdmin { session in
            let result = try await session.query(
                "INSERT INTO tenants (name) VALUES (\(name)) RETURNING \(unescaped: Self.columns)"
            )
            return try Self.tenant(result.first!)
        }
    }

    package func list(after cursor: PageCursor?, limit: Int) async throws -> Page<Tenant> {
        try await self.database.asAdmin { session in
            // Newest first; one row more than asked tells whether a next page exists.
            let result: PGResult
            if let cursor {
                result = try await session.query(
                    """
                    SELECT \(unescaped: Self.columns) FROM tenants
                    WHERE (created_at, id) < (\(cursor.time), \(cursor.id))
                    ORDER BY created_at DESC, id DESC LIMIT \(limit + 1)
                    """
                )
            } else {
                result = try await session.query(
                    "SELECT \(unescaped: Self.columns) FROM tenants ORDER BY created_at DESC, id DESC LIMIT \(limit + 1)"
                )
            }
            return Page(overfetched: try result.rows.map(Self.tenant), limit: limit) { PageCursor(time: $0.createdAt, id: $0.id) }
        }
    }

    package func get(id: UUID) async throws -> Tenant? {
        try await self.database.asAdmin { session in
            let result = try await session.query("SELECT \(unescaped: Self.columns) FROM tenants WHERE id = \(id)")
            return try result.first.map(Self.tenant)
        }
    }

    package func setStatus(id: UUID, status: TenantStatus) async throws -> Tenant? {
        try await self.database.asAdmin { session in
            let result = try await session.query(
                """
                UPDATE tenants SET
                    status = \(status.rawValue),
                    updated_at = CASE WHEN status = \(status.rawValue) THEN updated_at ELSE now() END,
                    disabled_at = CASE WHEN \(status.rawValue) = 'disabled' THEN coalesce(disabled_at, now()) ELSE NULL END
                WHERE id = \(id)
                RETURNING \(unescaped: Self.columns)
                """
            )
            return try result.first.map(Self.tenant)
        }
    }

    package func setRetention(id: UUID, redactAfterDays: Int?, deleteAfterDays: Int?) async throws -> Tenant? {
        try await self.database.asAdmin { session in
            try await session.query(
                """
                UPDATE tenants SET redact_after_days = \(redactAfterDays.map { Int32(clamping: $0) }),
                                   delete_after_days = \(deleteAfterDays.map { Int32(clamping: $0) }), updated_at = now()
                WHERE id = \(id)
                RETURNING \(unescaped: Self.columns)
                """
            ).first.map(Self.tenant)
        }
    }

    package func setRateLimits(id: UUID, _ limits: TenantRateLimits) async throws -> Tenant? {
        try await self.database.asAdmin { session in
            try await session.query(
                """
                UPDATE tenants SET rate_limits = \(PGJSON(text: limits.json)), updated_at = now() WHERE id = \(id)
                RETURNING \(unescaped: Self.columns)
                """
            ).first.map(Self.tenant)
        }
    }

    static func tenant(_ row: PGRow) throws -> Tenant {
        let status: String = try row.decode("status")
        return Tenant(
            id: try row.decode("id"),
            name: try row.decode("name"),
            status: TenantStatus(rawValue: status) ?? .disabled,
            createdAt: try row.decode("created_at"),
            updatedAt: try row.decode("updated_at"),
            disabledAt: try row.decode("disabled_at"),
            retention: try Self.retention(row),
            rateLimits: TenantRateLimits(json: try row.decode("rate_limits"))
        )
    }

    /// A tenant's retention columns (migration 0018), from any row that has them.
    static func retention(_ row: PGRow) throws -> TenantRetention {
        TenantRetention(
            redactAfterDays: try row.decode("redact_after_days", as: Int?.self),
            deleteAfterDays: try row.decode("delete_after_days", as: Int?.self),
            redactedBefore: try row.decode("redacted_before"),
            deletedBefore: try row.decode("deleted_before")
        )
    }
}

package struct PostgresTenantSelfRepository: TenantSelfRepository {
    let database: Database

    package init(database: Database) {
        self.database = database
    }

    package func current(tenantID: UUID) async throws -> Tenant? {
        try await self.database.withTenant(tenantID) { session in
            // No WHERE clause: row-level security already limits the table to this tenant's own row.
            let result = try await session.query("SELECT \(unescaped: PostgresTenantRepository.columns) FROM tenants")
            return try result.first.map(PostgresTenantRepository.tenant)
        }
    }
}
