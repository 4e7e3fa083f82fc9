package import Foundation
import Postgres
package import SmsHubDomain

extension PostgresQueryRepository {
    package func latestBalances(tenantID: UUID) async throws -> [BalanceRecord] {
        try await self.database.withTenant(tenantID) { session in
            // One backward index probe per account, however long its history.
            try await session.query(
                """
                SELECT b.id, a.id AS provider_account_id, a.provider, b.balance, b.payment, b.observed_at
                FROM provider_accounts a
                CROSS JOIN LATERAL (
                    SELECT id, balance, payment, observed_at FROM balances
                    WHERE tenant_id = a.tenant_id AND provider_account_id = a.id
                    ORDER BY observed_at DESC, id DESC LIMIT 1
                ) b
                WHERE a.tenant_id = \(tenantID)
                ORDER BY a.created_at, a.id
                """
            ).rows.map(Self.balance)
        }
    }

    package func balances(tenantID: UUID, accountID: UUID, observed: TimeRange, limit: Int, cursor: PageCursor?) async throws -> Page<BalanceRecord>?
    {
        var conditions: [PGQuery] = ["b.tenant_id = \(tenantID)", "b.provider_account_id = \(accountID)"]
        conditions += Keyset.conditions(time: "b.observed_at", id: "b.id", range: observed, cursor: cursor)
        return try await self.database.withTenant(tenantID) { session in
            guard
                let account = try await session.query(
                    "SELECT provider FROM provider_accounts WHERE tenant_id = \(tenantID) AND id = \(accountID)"
                ).first
            else { return nil }
            let provider: String = try account.decode("provider")
            let result = try await session.query(
                """
                SELECT b.id, b.provider_account_id, \(provider) AS provider, b.balance, b.payment, b.observed_at FROM balances b
                WHERE \(fragment: Keyset.whereClause(conditions))
                ORDER BY b.observed_at DESC, b.id DESC LIMIT \(limit + 1)
                """
            )
            return Page(overfetched: try result.rows.map(Self.balance), limit: limit) { PageCursor(time: $0.observedAt, id: $0.id) }
        }
    }

    static func balance(_ row: PGRow) throws -> BalanceRecord {
        BalanceRecord(
            id: try row.decode("id"),
            providerAccountID: try row.decode("provider_account_id"),
            provider: try row.decode("provider"),
            balance: try row.decode("balance"),
            payment: try row.decode("payment"),
            observedAt: try row.decode("observed_at")
        )
    }
}
