package import Foundation
import Postgres
package import SmsHubDomain

/// Redaction and removal for the retention sweep (migration 0018). Every statement takes a bounded
/// slice, oldest first, through an index on the row's time, and commits on its own: deletes never
/// hold locks ingestion needs (new rows are never old), and each slice leaves a few pages for
/// autovacuum to reclaim rather than a table-sized bloat.
package struct PostgresRetentionRepository: RetentionRepository {
    let database: Database

    package init(database: Database) {
        self.database = database
    }

    package func tenantsWithRetention() async throws -> [(tenantID: UUID, retention: TenantRetention)] {
        try await self.database.lookupAcrossTenants("SELECT * FROM tenants_with_retention()").rows.map { row in
            (try row.decode("tenant_id"), try PostgresTenantRepository.retention(row))
        }
    }

    package func redact(tenantID: UUID, from: Date?, before: Date, limit: Int) async throws -> Int {
        // From the last horizon on: rows older than it were redacted by an earlier pass.
        let start = from ?? Date(timeIntervalSince1970: 0)
        func oldest(_ table: String, time: String, _ condition: PGQuery) -> PGQuery {
            Self.oldest(table, time: time, tenantID: tenantID, from: start, before: before, where: condition, limit: limit)
        }
        let statements: [PGQuery] = [
            // The request's fingerprint is an unkeyed SHA-256 over the content: a six-digit code is a
            // million guesses away from it, so it goes with the content. A request repeating the
            // message's idempotency key is then a conflict: nothing is left to compare it with.
            """
            UPDATE messages SET content = '', request_hash = NULL, redacted_at = now()
            WHERE tenant_id = \(tenantID) AND id IN (\(fragment: oldest("messages", time: "created_at", "redacted_at IS NULL")))
            """,
            // A reply's raw payload holds its text too.
            """
            UPDATE replies SET content = '', raw = '{}', redacted_at = now()
            WHERE tenant_id = \(tenantID) AND id IN (\(fragment: oldest("replies", time: "received_at", "redacted_at IS NULL")))
            """,
            """
            UPDATE webhook_events SET data = jsonb_set(data, '{content}', '""')
            WHERE tenant_id = \(tenantID) AND id IN (
                \(fragment: oldest("webhook_events", time: "occurred_at", "type = 'message.reply_received' AND data ->> 'content' <> ''")))
            """,
            // Callbacks kept because they could not be read may carry a reply's text.
            """
            UPDATE callback_receipts SET raw = NULL
            WHERE tenant_id = \(tenantID) AND id IN (\(fragment: oldest("callback_receipts", time: "received_at", "raw IS NOT NULL")))
            """,
            // A reply's tally is named by a hash of its text (`GatewayCallbackParser.reply`).
            Self.removeTallies(tenantID: tenantID, before: before, where: "identity LIKE 'r:%'", limit: limit),
        ]
        return try await self.run(statements, tenantID: tenantID)
    }

    package func remove(tenantID: UUID, before: Date, limit: Int) async throws -> Int {
        // The oldest messages first: their recipients, then (once none is left) their dispatch tasks
        // and the messages themselves, which the foreign keys require in that order. As many messages
        // as the slice has rows: a message has a few recipients, so the recipient statement fills its
        // slice, and the messages it empties go in the same slice rather than a hundred at a time.
        let oldest: PGQuery = "SELECT id FROM messages WHERE tenant_id = \(tenantID) AND created_at < \(before) ORDER BY created_at LIMIT \(limit)"
        let statements: [PGQuery] = [
            """
            DELETE FROM message_recipients r USING (
                SELECT r2.id FROM (\(fragment: oldest)) m
                JOIN message_recipients r2 ON r2.tenant_id = \(tenantID) AND r2.message_id = m.id LIMIT \(limit)) d
            WHERE r.tenant_id = \(tenantID) AND r.id = d.id
            """,
            """
            DELETE FROM dispatch_tasks t USING (\(fragment: oldest)) m
            WHERE t.tenant_id = \(tenantID) AND t.message_id = m.id
              AND NOT EXISTS (SELECT 1 FROM message_recipients r WHERE r.tenant_id = \(tenantID) AND r.message_id = m.id)
            """,
            """
            DELETE FROM messages x USING (\(fragment: oldest)) m
            WHERE x.tenant_id = \(tenantID) AND x.id = m.id
              AND NOT EXISTS (SELECT 1 FROM message_recipients r WHERE r.tenant_id = \(tenantID) AND r.message_id = m.id)
              AND NOT EXISTS (SELECT 1 FROM dispatch_tasks t WHERE t.tenant_id = \(tenantID) AND t.message_id = m.id)
            """,
            // Attempts are made after their message's acceptance, so they go no sooner than it.
            Self.removeOldest("send_attempts", time: "created_at", tenantID: tenantID, before: before, limit: limit),
            Self.removeOldest("status_events", time: "received_at", tenantID: tenantID, before: before, limit: limit),
            Self.removeOldest("replies", time: "received_at", tenantID: tenantID, before: before, limit: limit),
            Self.removeOldest("review_events", time: "received_at", tenantID: tenantID, before: before, limit: limit),
            Self.removeOldest("callback_receipts", time: "received_at", tenantID: tenantID, before: before, limit: limit),
            Self.removeOldest("callback_tokens", time: "received_at", tenantID: tenantID, before: before, limit: limit),
            Self.removeOldest("balances", time: "observed_at", tenantID: tenantID, before: before, limit: limit),
            // A delivery's attempts go with it; endpoints are never deleted, so each is walked by its own index.
            """
            WITH gone AS (
                DELETE FROM webhook_deliveries d USING (
                    SELECT x.id FROM webhook_endpoints w
                    CROSS JOIN LATERAL (SELECT id FROM webhook_deliveries
                                        WHERE tenant_id = \(tenantID) AND endpoint_id = w.id AND created_at < \(before)
                                        ORDER BY created_at LIMIT \(limit)) x
                    WHERE w.tenant_id = \(tenantID)) o
                WHERE d.tenant_id = \(tenantID) AND d.id = o.id
                RETURNING d.id
            )
            DELETE FROM webhook_attempts a USING gone WHERE a.tenant_id = \(tenantID) AND a.delivery_id = gone.id
            """,
            Self.removeOldest("webhook_events", time: "occurred_at", tenantID: tenantID, before: before, limit: limit),
            Self.removeTallies(tenantID: tenantID, before: before, limit: limit),
        ]
        return try await self.run(statements, tenantID: tenantID)
    }

    /// A slice of the tenant's oldest Gateway copy tallies (migration 0028), keyed by account and identity.
    /// A copy arriving after its tally went is counted as a new report, stored once more: by then its
    /// report is past the same horizon.
    static func removeTallies(tenantID: UUID, before: Date, where condition: PGQuery = "true", limit: Int) -> PGQuery {
        """
        DELETE FROM gateway_copy_tallies t USING (
            SELECT provider_account_id, identity FROM gateway_copy_tallies
            WHERE tenant_id = \(tenantID) AND created_at < \(before) AND \(fragment: condition) ORDER BY created_at LIMIT \(limit)) o
        WHERE t.tenant_id = \(tenantID) AND t.provider_account_id = o.provider_account_id AND t.identity = o.identity
        """
    }

    static func removeOldest(_ table: String, time: String, tenantID: UUID, before: Date, limit: Int) -> PGQuery {
        """
        DELETE FROM \(unescaped: table) WHERE tenant_id = \(tenantID) AND id IN (
            \(fragment: Self.oldest(table, time: time, tenantID: tenantID, from: nil, before: before, limit: limit)))
        """
    }

    /// The ids of a slice of the tenant's oldest rows of `table` with `time` in `from ..< before` (no
    /// lower bound when nil) that meet `condition`, found through the table's index on its time.
    static func oldest(
        _ table: String,
        time: String,
        tenantID: UUID,
        from: Date?,
        before: Date,
        where condition: PGQuery = "true",
        limit: Int
    ) -> PGQuery {
        let lower: PGQuery = from.map { "AND \(unescaped: time) >= \($0)" } ?? ""
        return """
            SELECT id FROM \(unescaped: table) WHERE tenant_id = \(tenantID) \(fragment: lower) AND \(unescaped: time) < \(before)
              AND \(fragment: condition) ORDER BY \(unescaped: time) LIMIT \(limit)
            """
    }

    /// Each statement in a transaction of its own; the rows they changed, added up.
    private func run(_ statements: [PGQuery], tenantID: UUID) async throws -> Int {
        var changed = 0
        for statement in statements {
            changed += try await self.database.withTenant(tenantID) { session in
                try await session.query(statement).affectedRows
            }
        }
        return changed
    }

    /// Horizons only move forward: data redacted or removed stays so when a setting is lengthened.
    package func recordProgress(tenantID: UUID, redactedBefore: Date?, deletedBefore: Date?) async throws {
        _ = try await self.database.withTenant(tenantID) { session in
            try await session.query(
                """
                UPDATE tenants SET redacted_before = greatest(redacted_before, \(redactedBefore)),
                                   deleted_before = greatest(deleted_before, \(deletedBefore)), updated_at = now()
                WHERE id = \(tenantID)
                """
            )
        }
    }
}
