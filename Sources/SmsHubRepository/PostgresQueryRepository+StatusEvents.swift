package import Foundation
import Postgres
package import SmsHubDomain

extension PostgresQueryRepository {
    /// An attached event carries its message id (migration 0022); one attached before that and not
    /// yet filled in by the walk (`EventRecipientBackfiller`) looks it up from its recipient.
    static let statusEventColumns = """
        e.id, e.provider_account_id, e.provider, e.recipient_id,
        CASE WHEN e.message_id IS NOT NULL THEN e.message_id
             WHEN e.recipient_id IS NOT NULL
             THEN (SELECT m.message_id FROM message_recipients m WHERE m.tenant_id = e.tenant_id AND m.id = e.recipient_id) END AS message_id,
        e.provider_message_id, e.number_raw, e.number_e164, e.state, e.provider_code, e.description, e.part_sequence, e.part_total,
        e.segments, e.occurred_at, e.received_at, e.source
        """

    package func statusEvents(tenantID: UUID, filter: StatusEventFilter, limit: Int, cursor: PageCursor?) async throws -> Page<StatusEventRecord> {
        var conditions: [PGQuery] = ["e.tenant_id = \(tenantID)"]
        if let status = filter.status { conditions.append("e.state = \(status.rawValue)") }
        if let account = filter.providerAccountID { conditions.append("e.provider_account_id = \(account)") }
        if let id = filter.providerMessageID { conditions.append("e.provider_message_id = \(id)") }
        conditions += Keyset.conditions(time: "e.received_at", id: "e.id", range: filter.received, cursor: cursor)
        let query: PGQuery
        if let number = filter.numberE164 {
            // Providers that do not repeat the number (Huawei) or mask it (the Gateway) still report on a
            // recipient whose number is known. Each kind is an index range: events naming the number, and
            // attached events keeping their recipient's (migration 0022). Events attached before 0022 and
            // not yet filled in are those of the recipients below the tenant's backfill mark, found as
            // before, one probe per recipient; once the backfill has passed, that branch reads one row.
            let common = Keyset.whereClause(conditions)
            query = """
                SELECT * FROM (
                    (SELECT \(unescaped: Self.statusEventColumns) FROM status_events e
                     WHERE \(fragment: common) AND e.number_e164 = \(number)
                     ORDER BY e.received_at DESC, e.id DESC LIMIT \(limit + 1))
                    UNION
                    (SELECT \(unescaped: Self.statusEventColumns) FROM status_events e
                     WHERE \(fragment: common) AND e.recipient_number_e164 = \(number)
                     ORDER BY e.received_at DESC, e.id DESC LIMIT \(limit + 1))
                    UNION
                    (SELECT \(unescaped: Self.statusEventColumns)
                     FROM event_recipient_backfill b
                     JOIN message_recipients r ON r.tenant_id = b.tenant_id AND r.number_e164 = \(number) AND r.id < b.below_id
                     JOIN status_events e ON e.tenant_id = r.tenant_id AND e.recipient_id = r.id
                     WHERE \(fragment: common) AND b.tenant_id = \(tenantID) AND r.tenant_id = \(tenantID)
                     ORDER BY e.received_at DESC, e.id DESC LIMIT \(limit + 1))
                ) events
                ORDER BY received_at DESC, id DESC LIMIT \(limit + 1)
                """
        } else {
            query = """
                SELECT \(unescaped: Self.statusEventColumns) FROM status_events e
                WHERE \(fragment: Keyset.whereClause(conditions))
                ORDER BY e.received_at DESC, e.id DESC LIMIT \(limit + 1)
                """
        }
        return try await self.database.withTenant(tenantID) { session in
            let result = try await session.query(query)
            return Page(overfetched: try result.rows.map(Self.statusEvent), limit: limit) { PageCursor(time: $0.receivedAt, id: $0.id) }
        }
    }

    package func recipient(tenantID: UUID, id: UUID) async throws -> RecipientHistory? {
        try await self.database.withTenant(tenantID) { session in
            guard
                let row = try await session.query(
                    """
                    SELECT id, message_id, provider_account_id, number_raw, number_e164, provider_message_id, status, status_code,
                           status_description, status_at, created_at, submitted_at, sent_at, completed_at
                    FROM message_recipients WHERE tenant_id = \(tenantID) AND id = \(id)
                    """
                ).first
            else { return nil }
            let events = try await session.query(
                """
                SELECT \(unescaped: Self.statusEventColumns) FROM status_events e
                WHERE e.tenant_id = \(tenantID) AND e.recipient_id = \(id)
                ORDER BY e.received_at, e.id
                """
            ).rows.map(Self.statusEvent)
            let attempts = try await session.query(
                """
                SELECT provider_account_id, step, outcome, provider_message_id, code, description, created_at, completed_at
                FROM send_attempts WHERE tenant_id = \(tenantID) AND recipient_id = \(id) ORDER BY created_at, id
                """
            ).rows.map { row in
                SendAttemptRecord(
                    providerAccountID: try row.decode("provider_account_id"),
                    step: try row.decode("step"),
                    outcome: try row.decode("outcome"),
                    providerMessageID: try row.decode("provider_message_id"),
                    code: try row.decode("code"),
                    description: try row.decode("description"),
                    createdAt: try row.decode("created_at"),
                    completedAt: try row.decode("completed_at")
                )
            }
            var history = RecipientHistory(
                messageID: try row.decode("message_id"),
                providerAccountID: try row.decode("provider_account_id"),
                recipient: try PostgresMessageRepository.recipient(row),
                providerMessageID: try row.decode("provider_message_id"),
                createdAt: try row.decode("created_at"),
                submittedAt: try row.decode("submitted_at"),
                sentAt: try row.decode("sent_at"),
                completedAt: try row.decode("completed_at"),
                events: events
            )
            history.attempts = attempts
            return history
        }
    }

    static func statusEvent(_ row: PGRow) throws -> StatusEventRecord {
        StatusEventRecord(
            id: try row.decode("id"),
            providerAccountID: try row.decode("provider_account_id"),
            provider: try row.decode("provider"),
            recipientID: try row.decode("recipient_id"),
            messageID: try row.decode("message_id"),
            providerMessageID: try row.decode("provider_message_id"),
            number: try row.phoneNumber(raw: "number_raw", e164: "number_e164"),
            status: DeliveryState(rawValue: try row.decode("state")) ?? .unknown,
            statusCode: try row.decode("provider_code"),
            statusDescription: try row.decode("description"),
            partSequence: try row.decode("part_sequence"),
            partTotal: try row.decode("part_total"),
            segments: try row.decode("segments"),
            occurredAt: try row.decode("occurred_at"),
            receivedAt: try row.decode("received_at"),
            source: try row.decode("source")
        )
    }
}
