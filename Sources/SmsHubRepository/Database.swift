import Foundation
import Postgres

/// The service's way into PostgreSQL: every transaction is either scoped to one tenant or explicitly
/// cross-tenant, so no code path can forget which it is.
package struct Database: Sendable {
    let pool: PGPool

    init(pool: PGPool) {
        self.pool = pool
    }

    /// A transaction in which row-level security shows only `tenantID`'s rows.
    func withTenant<R: Sendable>(_ tenantID: UUID, _ body: (PGSession) async throws -> R) async throws -> R {
        try await self.pool.withTransaction(settings: [Self.tenantSetting(tenantID)], body)
    }

    /// One transaction for several tenants in turn (an ingest batch spans tenants): it starts scoped to
    /// `first`, and `switchTo` moves row-level security to the next. No statement runs unscoped.
    func withTenantsInTurn<R: Sendable>(
        first: UUID,
        _ body: (PGSession, _ switchTo: (UUID) async throws -> Void) async throws -> R
    ) async throws -> R {
        try await self.pool.withTransaction(settings: [Self.tenantSetting(first)]) { session in
            try await body(session) { try await Self.setTenant($0, session) }
        }
    }

    /// Runs `transaction` again, from the start, when it lost a race with another (deadlock or
    /// serialization failure: PostgreSQL rolled it back), up to `attempts` times with a short random
    /// pause. Only for a transaction whose every statement is safe to repeat once rolled back.
    package func retryingConflicts<R: Sendable>(attempts: Int = 3, _ transaction: () async throws -> R) async throws -> R {
        var attempt = 1
        while true {
            do {
                return try await transaction()
            } catch let error as PGError where error.isConflict && attempt < attempts {
                attempt += 1
                try await Task.sleep(for: .milliseconds(Int.random(in: 5...50)))
            }
        }
    }

    /// The setting row-level security reads; set per transaction, so a pooled connection never carries it over.
    static func tenantSetting(_ tenantID: UUID) -> (name: String, value: String) {
        ("smshub.tenant_id", tenantID.uuidString.lowercased())
    }

    /// Scopes the rest of the current transaction to `tenantID`. May be called again to switch tenants.
    static func setTenant(_ tenantID: UUID, _ session: PGSession) async throws {
        let setting = Self.tenantSetting(tenantID)
        try await session.query("SELECT set_config(\(setting.name), \(setting.value), true)")
    }

    /// A statement outside any tenant, for the `SECURITY DEFINER` lookups that exist to cross tenants
    /// and say only what the caller may know (which tenants have work, whose key or token this is).
    /// Row-level security leaves every table empty to it otherwise.
    func lookupAcrossTenants(_ query: PGQuery) async throws -> PGResult {
        try await self.pool.query(query)
    }

    /// Runs a `SECURITY DEFINER` maintenance step that crosses tenants and works through at most
    /// `limit` rows (clamped to the function's integer), returning how many it did.
    func stepAcrossTenants(_ function: String, limit: Int) async throws -> Int {
        let bounded = Int32(clamping: limit)
        guard let row = try await self.lookupAcrossTenants("SELECT \(unescaped: function)(\(bounded)) AS done").first else { return 0 }
        let done: Int32 = try row.decode("done")
        return Int(done)
    }

    /// A transaction acting as `smshub_admin`, the role whose policies span tenants. Admin API only.
    func asAdmin<R: Sendable>(_ body: (PGSession) async throws -> R) async throws -> R {
        try await self.pool.withTransaction { session in
            try await session.query("SET LOCAL ROLE smshub_admin")
            return try await body(session)
        }
    }
}
