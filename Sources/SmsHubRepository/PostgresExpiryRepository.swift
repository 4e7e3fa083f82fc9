package import Foundation
import Postgres
package import SmsHubDomain

/// The expiry sweep's reads and writes (migration 0015). A task's window closes once: its recipients
/// without a final report become `expired` with `status_inferred`, each with an `inferred` event in
/// its history, in the transaction that clears the task's `open_until`.
package struct PostgresExpiryRepository: ExpiryRepository {
    let database: Database

    package init(database: Database) {
        self.database = database
    }

    package func tenantsWithWork() async throws -> [UUID] {
        try await self.database.lookupAcrossTenants("SELECT t AS tenant_id FROM tenants_with_expiry_work() AS t").rows.map {
            try $0.decode("tenant_id")
        }
    }

    package func expireDue(tenantID: UUID, limit: Int) async throws -> ExpiryPass {
        try await self.database.withTenant(tenantID) { session in
            // A task being called right now (a live lease) waits for the next pass: its outcome may
            // be on its way. SKIP LOCKED: two sweepers never close the same task.
            let tasks = try await session.query(
                """
                UPDATE dispatch_tasks d SET open_until = NULL, lease_until = NULL, updated_at = now(),
                    state = CASE WHEN d.state = 'pending' THEN 'failed' ELSE d.state END,
                    last_error = CASE WHEN d.state = 'pending' THEN \(InferredExpiry.unsentNote) ELSE d.last_error END
                FROM (SELECT id FROM dispatch_tasks
                      WHERE tenant_id = \(tenantID) AND open_until IS NOT NULL AND open_until <= now()
                        AND (state <> 'pending' OR lease_until IS NULL OR lease_until < now())
                      ORDER BY open_until LIMIT \(limit)
                      FOR UPDATE SKIP LOCKED) due
                WHERE d.tenant_id = \(tenantID) AND d.id = due.id
                RETURNING d.id, d.recipient_ids
                """
            ).rows
            guard !tasks.isEmpty else { return ExpiryPass() }
            // Only recipients still on this task: one refused for the account has moved to another
            // account of its route (decision 0019), under that task's window now. Recipients are keyed
            // to the task as its provider's reports name it (`AttemptTag.reportKey`).
            var pairs: [(id: UUID, key: String)] = []
            for row in tasks {
                let task: UUID = try row.decode("id")
                let keys = Set(Provider.allCases.map { AttemptTag.reportKey(task: task, provider: $0) })
                for id in try row.decode("recipient_ids", as: [UUID].self) {
                    for key in keys { pairs.append((id, key)) }
                }
            }
            pairs.sort { UUID.precedes($0.id, $1.id) }
            // A recipient that a held masked copy fits (docs/providers.md §7) may have had its report,
            // unattributable: it says so instead of claiming that none came.
            let expired = try await session.query(
                """
                WITH due AS (
                    SELECT r.id,
                           EXISTS (SELECT 1 FROM status_events e
                                   WHERE e.tenant_id = r.tenant_id AND e.provider_account_id = r.provider_account_id
                                     AND e.provider_message_id = r.provider_message_id AND e.recipient_id IS NULL
                                     AND e.number_e164 IS NULL AND strpos(e.number_raw, '*') > 0
                                     AND \(fragment: MaskedNumberSQL.fits(mask: "e.number_raw", e164Column: "r.number_e164"))) AS ambiguous
                    FROM message_recipients r
                    JOIN unnest(\(pairs.map(\.id))::uuid[], \(pairs.map(\.key))::text[]) AS k(id, key)
                      ON r.id = k.id AND r.provider_message_id = k.key
                    WHERE r.tenant_id = \(tenantID) AND status_rank(r.status) < 4
                    ORDER BY r.id
                    FOR UPDATE OF r
                ), moved AS (
                    UPDATE message_recipients r SET status = 'expired', status_inferred = true,
                        status_code = CASE WHEN due.ambiguous THEN \(InferredExpiry.ambiguousCode) ELSE \(InferredExpiry.windowCode) END,
                        status_description = CASE WHEN due.ambiguous THEN \(InferredExpiry.ambiguousDescription)
                                                  ELSE \(InferredExpiry.windowDescription) END,
                        status_at = now(), completed_at = now(), updated_at = now()
                    FROM due
                    WHERE r.tenant_id = \(tenantID) AND r.id = due.id
                    RETURNING r.id, r.message_id, r.provider_account_id, r.provider_message_id, r.number_raw, r.number_e164, r.status_code,
                              r.status_description
                )
                -- Each event names its recipient's number, so it keeps only the message (migration 0022).
                INSERT INTO status_events (tenant_id, id, recipient_id, message_id, provider_account_id, provider, provider_message_id, number_raw,
                                           number_e164, state, provider_code, description, occurred_at, source, dedup_key, raw)
                SELECT \(tenantID), uuid_v7(), m.id, m.message_id, m.provider_account_id,
                       coalesce((SELECT a.provider FROM provider_accounts a WHERE a.tenant_id = \(tenantID) AND a.id = m.provider_account_id),
                                \(Provider.gateway.rawValue)),
                       coalesce(m.provider_message_id, ''),
                       m.number_raw, m.number_e164, 'expired', m.status_code, m.status_description, now(), 'inferred',
                       'expired:' || m.id::text, jsonb_build_object('inferred', 'expired', 'code', m.status_code)
                FROM moved m
                ON CONFLICT (tenant_id, dedup_key) DO NOTHING
                """
            ).affectedRows
            return ExpiryPass(tasks: tasks.count, expired: expired)
        }
    }

}
