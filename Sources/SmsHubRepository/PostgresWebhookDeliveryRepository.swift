package import Foundation
import Postgres
package import SmsHubDomain

/// The deliverer's reads and writes (migration 0016): claims under fenced leases, as dispatch tasks
/// are claimed, so several instances share the work and never send one delivery twice at once.
package struct PostgresWebhookDeliveryRepository: WebhookDeliveryRepository {
    let database: Database

    package init(database: Database) {
        self.database = database
    }

    package func tenantsWithWork(dueBy: Date) async throws -> [UUID] {
        try await self.database.lookupAcrossTenants("SELECT t AS tenant_id FROM tenants_with_webhook_work(\(dueBy)) AS t").rows.map {
            try $0.decode("tenant_id")
        }
    }

    package func dueEndpoints(tenantID: UUID, dueBy: Date) async throws -> [WebhookTarget] {
        try await self.database.withTenant(tenantID) { session in
            try await session.query(
                """
                SELECT w.id, w.url, w.secrets, w.secrets_key_id, w.previous_secret_until, w.failing_since FROM webhook_endpoints w
                WHERE w.tenant_id = \(tenantID) AND w.enabled
                  -- A disabled tenant's deliveries wait, retries to its endpoints included, and go
                  -- out when it is enabled again.
                  AND EXISTS (SELECT 1 FROM tenants t WHERE t.id = w.tenant_id AND t.status = 'active')
                  AND EXISTS (SELECT 1 FROM webhook_deliveries d
                              WHERE d.tenant_id = w.tenant_id AND d.endpoint_id = w.id AND d.state = 'pending'
                                AND d.next_attempt_at <= \(dueBy) AND (d.lease_until IS NULL OR d.lease_until < now()))
                ORDER BY w.created_at, w.id
                """
            ).rows.map { row in
                WebhookTarget(
                    endpointID: try row.decode("id"),
                    url: try row.decode("url"),
                    secrets: SealedSecrets(keyID: try row.decode("secrets_key_id"), box: try row.decode("secrets", as: PGBytes.self).bytes),
                    previousSecretUntil: try row.decode("previous_secret_until"),
                    failing: try row.decode("failing_since", as: Date?.self) != nil
                )
            }
        }
    }

    package func claim(
        tenantID: UUID,
        endpointID: UUID,
        dueBy: Date,
        limit: Int,
        lease: Duration,
        owner: UUID
    ) async throws -> [ClaimedWebhookDelivery] {
        try await self.database.withTenant(tenantID) { session in
            try await session.query(
                """
                UPDATE webhook_deliveries d SET lease_until = now() + make_interval(secs => \(lease.inSeconds)), lease_owner = \(owner),
                    attempts = d.attempts + 1, updated_at = now()
                FROM (SELECT id FROM webhook_deliveries
                      WHERE tenant_id = \(tenantID) AND endpoint_id = \(endpointID) AND state = 'pending' AND next_attempt_at <= \(dueBy)
                        AND (lease_until IS NULL OR lease_until < now())
                      ORDER BY next_attempt_at LIMIT \(limit)
                      FOR UPDATE SKIP LOCKED) due,
                     webhook_events e
                WHERE d.tenant_id = \(tenantID) AND d.id = due.id AND e.tenant_id = d.tenant_id AND e.id = d.event_id
                RETURNING d.id, d.event_id, e.type, e.occurred_at, e.data::text AS data, d.attempts
                """
            ).rows.map { row in
                ClaimedWebhookDelivery(
                    id: try row.decode("id"),
                    eventID: try row.decode("event_id"),
                    eventType: try row.decode("type"),
                    occurredAt: try row.decode("occurred_at"),
                    data: try row.decode("data"),
                    attempt: try row.decode("attempts"),
                    owner: owner
                )
            }
        }
    }

    package func record(
        tenantID: UUID,
        endpointID: UUID,
        outcomes: [WebhookAttemptOutcome],
        touchEndpoint: Bool,
        disableAfter: Duration
    ) async throws -> Bool {
        guard !outcomes.isEmpty else { return false }
        let sorted = outcomes.sorted { UUID.precedes($0.delivery.id, $1.delivery.id) }
        return try await self.database.withTenant(tenantID) { session in
            // Each outcome is fenced by (attempts, lease_owner): a lease lost to another instance
            // writes nothing, its attempt included. (No `state` condition: recording clears the owner,
            // and a condition the partial index of due deliveries matches made the planner walk that
            // index, dead entries of delivered rows included, for every row: 4 ms per batch became 40.)
            let recorded = try await session.query(
                """
                WITH k AS (
                    SELECT * FROM unnest(\(sorted.map(\.delivery.id)), \(sorted.map { Int32(clamping: $0.delivery.attempt) }),
                                         \(sorted.map(\.delivery.owner)), \(sorted.map(\.attemptedAt)),
                                         \(PGArray(sorted.map { $0.statusCode.map { Int32(clamping: $0) } })),
                                         \(sorted.map { Int32(clamping: $0.latencyMilliseconds) }), \(PGArray(sorted.map(\.responseExcerpt))),
                                         \(PGArray(sorted.map(\.error))), \(PGArray(sorted.map(\.retryAt))), \(sorted.map(\.delivered)))
                        AS k(id, attempt, owner, attempted_at, status_code, latency_ms, excerpt, error, retry_at, delivered)
                ), moved AS (
                    UPDATE webhook_deliveries d SET
                        state = CASE WHEN k.delivered THEN 'delivered' WHEN k.retry_at IS NULL THEN 'failed' ELSE 'pending' END,
                        next_attempt_at = coalesce(k.retry_at, d.next_attempt_at),
                        delivered_at = CASE WHEN k.delivered THEN k.attempted_at END,
                        last_status = k.status_code, last_error = k.error,
                        lease_until = NULL, lease_owner = NULL, updated_at = now()
                    FROM k
                    WHERE d.tenant_id = \(tenantID) AND d.id = k.id AND d.attempts = k.attempt AND d.lease_owner = k.owner
                    RETURNING k.*
                )
                INSERT INTO webhook_attempts (tenant_id, delivery_id, attempt, attempted_at, status_code, latency_ms, response_excerpt, error)
                SELECT \(tenantID), id, attempt, attempted_at, status_code, latency_ms, excerpt, error FROM moved
                RETURNING status_code
                """
            ).rows
            guard !recorded.isEmpty, touchEndpoint else { return false }
            let anySuccess = sorted.contains(where: \.delivered)
            let anyFailure = sorted.contains { !$0.delivered }
            // A success ends the failure streak; a failure starts one; one that has lasted
            // `disableAfter` with no success disables the endpoint, saying why. Only an enabled
            // endpoint is disabled here: one the tenant disabled meanwhile keeps its own state, and
            // its last attempts are not the hub's disabling.
            let disabled =
                try await session.query(
                    """
                    WITH before AS (
                        SELECT coalesce(enabled AND NOT \(anySuccess) AND failing_since < now() - make_interval(secs => \(disableAfter.inSeconds)), false) AS expires
                        FROM webhook_endpoints WHERE tenant_id = \(tenantID) AND id = \(endpointID) FOR UPDATE)
                    UPDATE webhook_endpoints w SET
                        last_success_at = CASE WHEN \(anySuccess) THEN now() ELSE last_success_at END,
                        failing_since = CASE WHEN \(anySuccess) THEN NULL WHEN \(anyFailure) THEN coalesce(failing_since, now()) ELSE failing_since END,
                        -- A success ends a backlog at once (migration 0029): changes are queued again.
                        backlogged_since = CASE WHEN \(anySuccess) THEN NULL ELSE backlogged_since END,
                        enabled = CASE WHEN before.expires THEN false ELSE enabled END,
                        disabled_reason = CASE WHEN before.expires THEN 'every delivery since ' || smshub_time(failing_since) || ' failed'
                                               ELSE disabled_reason END,
                        updated_at = now()
                    FROM before
                    WHERE w.tenant_id = \(tenantID) AND w.id = \(endpointID)
                    RETURNING before.expires AS disabled
                    """
                ).first?.decode("disabled", as: Bool.self) ?? false
            return disabled
        }
    }

    package func markBacklogs(cap: Int) async throws -> [WebhookBacklogChange] {
        try await self.database.lookupAcrossTenants("SELECT * FROM webhook_backlogs(\(Int32(clamping: cap)))").rows.map {
            WebhookBacklogChange(
                tenantID: try $0.decode("tenant_id"),
                endpointID: try $0.decode("endpoint_id"),
                backlogged: try $0.decode("backlogged")
            )
        }
    }
}
