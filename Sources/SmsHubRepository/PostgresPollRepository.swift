package import Foundation
import Postgres
package import SmsHubDomain

package struct PostgresPollRepository: PollRepository {
    let database: Database

    package init(database: Database) {
        self.database = database
    }

    package func due(kind: PollKind, every: Duration) async throws -> [(tenantID: UUID, accountID: UUID)] {
        try await self.database.lookupAcrossTenants(
            "SELECT tenant_id, account_id FROM gateway_accounts_due(\(kind.rawValue), \(every.inSeconds))"
        ).rows.map { (try $0.decode("tenant_id"), try $0.decode("account_id")) }
    }

    package func providerBalancesDue(every: Duration) async throws -> [(tenantID: UUID, accountID: UUID)] {
        try await self.database.lookupAcrossTenants(
            "SELECT tenant_id, account_id FROM provider_balances_due(\(every.inSeconds))"
        ).rows.map { (try $0.decode("tenant_id"), try $0.decode("account_id")) }
    }

    package func acquire(tenantID: UUID, accountID: UUID, kind: PollKind, every: Duration, lease: Duration) async throws -> Bool {
        try await self.database.withTenant(tenantID) { session in
            // Insert or take over an expired lease in one statement; a live lease makes it return nothing.
            try await session.query(
                """
                INSERT INTO poll_leases (tenant_id, provider_account_id, kind, leased_until)
                VALUES (\(tenantID), \(accountID), \(kind.rawValue), now() + make_interval(secs => \(Double(lease.components.seconds))))
                ON CONFLICT (tenant_id, provider_account_id, kind) DO UPDATE SET leased_until = EXCLUDED.leased_until
                WHERE poll_leases.leased_until < now()
                  AND (poll_leases.last_polled_at IS NULL OR poll_leases.last_polled_at < now() - make_interval(secs => \(every.inSeconds)))
                RETURNING 1 AS taken
                """
            ).rowCount == 1
        }
    }

    package func release(tenantID: UUID, accountID: UUID, kind: PollKind, polled: Bool) async throws {
        _ = try await self.database.withTenant(tenantID) { session in
            try await session.query(
                """
                UPDATE poll_leases SET leased_until = now() - interval '1 microsecond',
                    last_polled_at = CASE WHEN \(polled) THEN now() ELSE last_polled_at END
                WHERE tenant_id = \(tenantID) AND provider_account_id = \(accountID) AND kind = \(kind.rawValue)
                """
            )
        }
    }

    package func recordBalance(tenantID: UUID, accountID: UUID, balance: Decimal, payment: String?, raw: String) async throws -> BalanceSnapshot {
        try await self.database.withTenant(tenantID) { session in
            let row = try await session.query(
                """
                INSERT INTO balances (tenant_id, provider_account_id, balance, payment, raw)
                VALUES (\(tenantID), \(accountID), \(balance), \(payment), \(PGJSON(text: raw)))
                RETURNING observed_at
                """
            ).first!
            return BalanceSnapshot(accountID: accountID, balance: balance, payment: payment, observedAt: try row.decode("observed_at"))
        }
    }
}
