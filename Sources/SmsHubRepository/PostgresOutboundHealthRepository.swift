package import Foundation
import Postgres
package import SmsHubDomain

package struct PostgresOutboundHealthRepository: OutboundHealthRepository {
    let database: Database

    package init(database: Database) {
        self.database = database
    }

    package func recordSuccess(tenantID: UUID, accountID: UUID) async throws {
        // A healthy account has no row, or a zeroed one: the common case writes nothing.
        _ = try await self.database.withTenant(tenantID) { session in
            try await session.query(
                """
                UPDATE outbound_health SET consecutive_failures = 0, paused_until = NULL
                WHERE tenant_id = \(tenantID) AND provider_account_id = \(accountID) AND (consecutive_failures > 0 OR paused_until IS NOT NULL)
                """
            )
        }
    }

    package func recordFailure(tenantID: UUID, accountID: UUID, failure: OutboundFailure, breaker: CircuitBreaker) async throws -> OutboundHealth {
        try await self.database.withTenant(tenantID) { session in
            let row = try await session.query(
                """
                INSERT INTO outbound_health (tenant_id, provider_account_id, consecutive_failures, last_failure, last_failure_at)
                VALUES (\(tenantID), \(accountID), 1, \(failure.rawValue), now())
                ON CONFLICT (tenant_id, provider_account_id) DO UPDATE
                SET consecutive_failures = outbound_health.consecutive_failures + 1, last_failure = EXCLUDED.last_failure, last_failure_at = now()
                RETURNING consecutive_failures
                """
            ).first
            let failures: Int = try row?.decode("consecutive_failures") ?? 1
            if let pause = breaker.pause(afterFailures: failures) {
                let seconds = Double(pause.components.seconds)
                try await session.query(
                    """
                    UPDATE outbound_health SET paused_until = now() + make_interval(secs => \(seconds))
                    WHERE tenant_id = \(tenantID) AND provider_account_id = \(accountID)
                    """
                )
            }
            return try await Self.read(tenantID: tenantID, accountID: accountID, session: session)
        }
    }

    package func health(tenantID: UUID, accountID: UUID) async throws -> OutboundHealth {
        try await self.database.withTenant(tenantID) { session in
            try await Self.read(tenantID: tenantID, accountID: accountID, session: session)
        }
    }

    static func read(tenantID: UUID, accountID: UUID, session: PGSession) async throws -> OutboundHealth {
        guard
            let row = try await session.query(
                """
                SELECT consecutive_failures, paused_until, last_failure, last_failure_at FROM outbound_health
                WHERE tenant_id = \(tenantID) AND provider_account_id = \(accountID)
                """
            ).first
        else { return OutboundHealth() }
        return OutboundHealth(
            consecutiveFailures: try row.decode("consecutive_failures"),
            pausedUntil: try row.decode("paused_until"),
            lastFailure: (try row.decode("last_failure", as: String?.self)).flatMap(OutboundFailure.init(rawValue:)),
            lastFailureAt: try row.decode("last_failure_at")
        )
    }
}
