package import Foundation
import Postgres
package import SmsHubDomain

/// Webhook endpoints and their deliveries, as the tenant API reads and changes them (migration 0016).
package struct PostgresWebhookEndpointRepository: WebhookEndpointRepository {
    let database: Database

    package init(database: Database) {
        self.database = database
    }

    static let columns = """
        tenant_id, id, url, description, event_types, enabled, disabled_reason, previous_secret_until, failing_since, backlogged_since,
        last_success_at, created_at, updated_at
        """

    package func create(tenantID: UUID, id: UUID, endpoint: NewWebhookEndpoint, secrets: SealedSecrets) async throws -> WebhookEndpoint? {
        try await self.database.withTenant(tenantID) { session in
            // Creations of one tenant's endpoints take turns, so two at once cannot both pass the count.
            try await session.query("SELECT pg_advisory_xact_lock(hashtextextended('webhook_endpoints:' || \(tenantID.uuidString), 0))")
            let count =
                try await session.query("SELECT count(*) AS n FROM webhook_endpoints WHERE tenant_id = \(tenantID)").first?
                .decode("n", as: Int.self) ?? 0
            guard count < WebhookEndpointRules.maxEndpointsPerTenant else { return WebhookEndpoint?.none }
            return try await session.query(
                """
                INSERT INTO webhook_endpoints (tenant_id, id, url, description, event_types, enabled, secrets, secrets_key_id)
                VALUES (\(tenantID), \(id), \(endpoint.url), \(endpoint.description), \(endpoint.eventTypes), \(endpoint.enabled),
                        \(PGBytes(secrets.box)), \(secrets.keyID))
                RETURNING \(unescaped: Self.columns)
                """
            ).first.map(Self.endpoint)
        }
    }

    package func list(tenantID: UUID) async throws -> [WebhookEndpoint] {
        try await self.database.withTenant(tenantID) { session in
            try await session.query(
                "SELECT \(unescaped: Self.columns) FROM webhook_endpoints WHERE tenant_id = \(tenantID) ORDER BY created_at, id"
            ).rows.map(Self.endpoint)
        }
    }

    package func get(tenantID: UUID, id: UUID) async throws -> WebhookEndpoint? {
        try await self.database.withTenant(tenantID) { session in
            try await session.query("SELECT \(unescaped: Self.columns) FROM webhook_endpoints WHERE tenant_id = \(tenantID) AND id = \(id)")
                .first.map(Self.endpoint)
        }
    }

    package func update(tenantID: UUID, id: UUID, change: WebhookEndpointChange) async throws -> WebhookEndpoint? {
        try await self.database.withTenant(tenantID) { session in
            try await session.query(
                """
                UPDATE webhook_endpoints SET
                    url = coalesce(\(change.url), url),
                    description = coalesce(\(change.description), description),
                    event_types = coalesce(\(change.eventTypes), event_types),
                    enabled = coalesce(\(change.enabled), enabled),
                    -- Enabled again: the hub's reason and the failure streak are history.
                    disabled_reason = CASE WHEN \(change.enabled) IS NOT NULL THEN NULL ELSE disabled_reason END,
                    failing_since = CASE WHEN \(change.enabled) THEN NULL ELSE failing_since END,
                    updated_at = now()
                WHERE tenant_id = \(tenantID) AND id = \(id)
                RETURNING \(unescaped: Self.columns)
                """
            ).first.map(Self.endpoint)
        }
    }

    package func sealedSecrets(tenantID: UUID, id: UUID) async throws -> SealedSecrets? {
        try await self.database.withTenant(tenantID) { session in
            try await session.query("SELECT secrets, secrets_key_id FROM webhook_endpoints WHERE tenant_id = \(tenantID) AND id = \(id)")
                .first.map { SealedSecrets(keyID: try $0.decode("secrets_key_id"), box: try $0.decode("secrets", as: PGBytes.self).bytes) }
        }
    }

    package func reseal(tenantID: UUID, id: UUID, from previousKeyID: String, to secrets: SealedSecrets) async throws -> Bool {
        try await self.database.withTenant(tenantID) { session in
            try await session.query(
                """
                UPDATE webhook_endpoints SET secrets = \(PGBytes(secrets.box)), secrets_key_id = \(secrets.keyID)
                WHERE tenant_id = \(tenantID) AND id = \(id) AND secrets_key_id = \(previousKeyID)
                """
            ).affectedRows == 1
        }
    }

    package func storeRotated(
        tenantID: UUID,
        id: UUID,
        secrets: SealedSecrets,
        previousUntil: Date,
        replacing: SealedSecrets
    ) async throws -> RotationOutcome {
        try await self.database.withTenant(tenantID) { session in
            let updated = try await session.query(
                """
                UPDATE webhook_endpoints SET secrets = \(PGBytes(secrets.box)), secrets_key_id = \(secrets.keyID),
                    previous_secret_until = \(previousUntil), updated_at = now()
                WHERE tenant_id = \(tenantID) AND id = \(id) AND secrets = \(PGBytes(replacing.box)) AND secrets_key_id = \(replacing.keyID)
                RETURNING \(unescaped: Self.columns)
                """
            ).first.map(Self.endpoint)
            if let updated { return .stored(updated) }
            let exists = try await session.query("SELECT 1 FROM webhook_endpoints WHERE tenant_id = \(tenantID) AND id = \(id)").first != nil
            return exists ? .changedMeanwhile : .notFound
        }
    }

    static func endpoint(_ row: PGRow) throws -> WebhookEndpoint {
        WebhookEndpoint(
            tenantID: try row.decode("tenant_id"),
            id: try row.decode("id"),
            url: try row.decode("url"),
            description: try row.decode("description"),
            eventTypes: try row.decode("event_types"),
            enabled: try row.decode("enabled"),
            disabledReason: try row.decode("disabled_reason"),
            previousSecretUntil: try row.decode("previous_secret_until"),
            failingSince: try row.decode("failing_since"),
            backloggedSince: try row.decode("backlogged_since"),
            lastSuccessAt: try row.decode("last_success_at"),
            createdAt: try row.decode("created_at"),
            updatedAt: try row.decode("updated_at")
        )
    }

    // MARK: Deliveries

    static let deliveryColumns = """
        d.id, d.endpoint_id, d.event_id, e.type AS event_type, d.state, d.attempts,
        CASE WHEN d.state = 'pending' THEN d.next_attempt_at END AS next_attempt_at,
        d.last_status, d.last_error, d.delivered_at, d.created_at
        """

    package func deliveries(
        tenantID: UUID,
        endpointID: UUID,
        state: WebhookDeliveryState?,
        limit: Int,
        cursor: PageCursor?
    ) async throws
        -> Page<WebhookDeliveryRecord>
    {
        var conditions: [PGQuery] = ["d.tenant_id = \(tenantID)", "d.endpoint_id = \(endpointID)"]
        if let state { conditions.append("d.state = \(state.rawValue)") }
        conditions += Keyset.conditions(time: "d.created_at", id: "d.id", range: TimeRange(), cursor: cursor)
        return try await self.database.withTenant(tenantID) { session in
            let rows = try await session.query(
                """
                SELECT \(unescaped: Self.deliveryColumns)
                FROM webhook_deliveries d JOIN webhook_events e ON e.tenant_id = d.tenant_id AND e.id = d.event_id
                WHERE \(fragment: Keyset.whereClause(conditions))
                ORDER BY d.created_at DESC, d.id DESC LIMIT \(limit + 1)
                """
            ).rows.map(Self.delivery)
            let withAttempts = try await self.attachAttempts(Array(rows.prefix(limit)), tenantID: tenantID, session: session)
            return Page(overfetched: withAttempts + rows.dropFirst(limit), limit: limit) { PageCursor(time: $0.createdAt, id: $0.id) }
        }
    }

    package func delivery(tenantID: UUID, endpointID: UUID, id: UUID) async throws -> WebhookDeliveryRecord? {
        try await self.database.withTenant(tenantID) { session in
            let rows = try await session.query(
                """
                SELECT \(unescaped: Self.deliveryColumns)
                FROM webhook_deliveries d JOIN webhook_events e ON e.tenant_id = d.tenant_id AND e.id = d.event_id
                WHERE d.tenant_id = \(tenantID) AND d.endpoint_id = \(endpointID) AND d.id = \(id)
                """
            ).rows.map(Self.delivery)
            return try await self.attachAttempts(rows, tenantID: tenantID, session: session).first
        }
    }

    /// The attempts shown per delivery: the schedule's eight and some manual retries. A delivery
    /// retried by hand without end keeps its rows, but a list reads only the latest of them.
    package static let attemptsShown = 20

    /// The latest attempts of each delivery, newest first.
    private func attachAttempts(_ deliveries: [WebhookDeliveryRecord], tenantID: UUID, session: PGSession) async throws -> [WebhookDeliveryRecord] {
        guard !deliveries.isEmpty else { return deliveries }
        var byDelivery: [UUID: [WebhookAttemptRecord]] = [:]
        let rows = try await session.query(
            """
            SELECT a.* FROM unnest(\(deliveries.map(\.id))) AS d(id)
            CROSS JOIN LATERAL (
                SELECT delivery_id, attempt, attempted_at, status_code, latency_ms, response_excerpt, error FROM webhook_attempts
                WHERE tenant_id = \(tenantID) AND delivery_id = d.id
                ORDER BY attempted_at DESC, attempt DESC LIMIT \(Self.attemptsShown)) a
            ORDER BY a.attempted_at DESC, a.attempt DESC
            """
        ).rows
        for row in rows {
            byDelivery[try row.decode("delivery_id"), default: []].append(
                WebhookAttemptRecord(
                    attempt: try row.decode("attempt"),
                    attemptedAt: try row.decode("attempted_at"),
                    statusCode: try row.decode("status_code"),
                    latencyMilliseconds: try row.decode("latency_ms"),
                    responseExcerpt: try row.decode("response_excerpt"),
                    error: try row.decode("error")
                )
            )
        }
        return deliveries.map { delivery in
            var delivery = delivery
            delivery.attemptLog = byDelivery[delivery.id] ?? []
            return delivery
        }
    }

    package func retry(tenantID: UUID, endpointID: UUID, id: UUID) async throws -> WebhookRetryOutcome {
        let updated = try await self.database.withTenant(tenantID) { session in
            try await session.query(
                """
                UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = now(), delivered_at = NULL, updated_at = now()
                WHERE tenant_id = \(tenantID) AND endpoint_id = \(endpointID) AND id = \(id)
                  AND attempts < \(WebhookEndpointRules.maxAttemptsPerDelivery)
                """
            ).affectedRows
        }
        guard let delivery = try await self.delivery(tenantID: tenantID, endpointID: endpointID, id: id) else { return .notFound }
        return updated == 1 ? .queued(delivery) : .attemptsExhausted
    }

    package func replay(tenantID: UUID, endpointID: UUID, since: Date, until: Date?, limit: Int) async throws -> WebhookReplay {
        try await self.database.withTenant(tenantID) { session in
            let rows = try await session.query(
                """
                WITH wanted AS (
                    SELECT e.id, e.occurred_at FROM webhook_events e
                    JOIN webhook_endpoints w ON w.tenant_id = e.tenant_id AND w.id = \(endpointID)
                    WHERE e.tenant_id = \(tenantID) AND e.occurred_at >= \(since) AND (\(until)::timestamptz IS NULL OR e.occurred_at < \(until))
                      AND e.type <> \(WebhookEventType.test.rawValue)
                      AND (e.type = ANY (w.event_types) OR '*' = ANY (w.event_types))
                    ORDER BY e.occurred_at, e.id LIMIT \(limit + 1)
                ), pending AS (
                    SELECT event_id FROM webhook_deliveries
                    WHERE tenant_id = \(tenantID) AND endpoint_id = \(endpointID) AND state = 'pending'
                ), queued AS (
                    -- An event already waiting for this endpoint is not queued twice.
                    INSERT INTO webhook_deliveries (tenant_id, endpoint_id, event_id)
                    SELECT \(tenantID), \(endpointID), id FROM (SELECT id FROM wanted ORDER BY occurred_at, id LIMIT \(limit)) first
                    WHERE id NOT IN (SELECT event_id FROM pending)
                    RETURNING 1
                )
                SELECT (SELECT count(*) FROM queued) AS enqueued,
                       (SELECT occurred_at FROM wanted ORDER BY occurred_at DESC, id DESC LIMIT 1) AS last,
                       (SELECT count(*) FROM wanted) AS found
                """
            ).rows
            guard let row = rows.first else { return WebhookReplay(enqueued: 0, continueFrom: nil) }
            let found: Int = try row.decode("found")
            return WebhookReplay(enqueued: try row.decode("enqueued"), continueFrom: found > limit ? try row.decode("last") : nil)
        }
    }

    package func enqueueTest(tenantID: UUID, endpointID: UUID) async throws -> WebhookDeliveryRecord? {
        let id = try await self.database.withTenant(tenantID) { session -> UUID? in
            try await session.query(
                """
                WITH endpoint AS (SELECT id FROM webhook_endpoints WHERE tenant_id = \(tenantID) AND id = \(endpointID)),
                event AS (
                    INSERT INTO webhook_events (tenant_id, type, data)
                    SELECT \(tenantID), \(WebhookEventType.test.rawValue), jsonb_build_object('endpoint_id', id, 'message', 'a test delivery from smshub')
                    FROM endpoint
                    RETURNING id
                )
                INSERT INTO webhook_deliveries (tenant_id, endpoint_id, event_id)
                SELECT \(tenantID), \(endpointID), id FROM event
                RETURNING id
                """
            ).first?.decode("id")
        }
        guard let id else { return nil }
        return try await self.delivery(tenantID: tenantID, endpointID: endpointID, id: id)
    }

    static func delivery(_ row: PGRow) throws -> WebhookDeliveryRecord {
        WebhookDeliveryRecord(
            id: try row.decode("id"),
            endpointID: try row.decode("endpoint_id"),
            eventID: try row.decode("event_id"),
            eventType: try row.decode("event_type"),
            state: WebhookDeliveryState(rawValue: try row.decode("state")) ?? .pending,
            attempts: try row.decode("attempts"),
            nextAttemptAt: try row.decode("next_attempt_at"),
            lastStatus: try row.decode("last_status"),
            lastError: try row.decode("last_error"),
            deliveredAt: try row.decode("delivered_at"),
            createdAt: try row.decode("created_at")
        )
    }
}
