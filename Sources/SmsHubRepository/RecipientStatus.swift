import Foundation
import Postgres
import SmsHubDomain

/// Moving recipients forward from their status events. Used when events arrive and again when
/// recipients appear (a report may come before the send that it reports on has committed).
/// `StatusAttachment` decides; this reads its inputs and writes its plan, a statement per step for
/// any number of provider message ids.
package enum RecipientStatus {
    /// Links unattached events of each (account, provider message id) to their recipients and applies them, in order.
    static func attachAndApply(tenantID: UUID, keys: [StatusAttachment.Key], session: PGSession) async throws {
        guard !keys.isEmpty else { return }
        // Recipients first: when none exist yet (the report beat the send's commit) this one probe is all there is to do.
        let recipients = try await self.recipients(tenantID: tenantID, keys: keys, session: session)
        guard !recipients.isEmpty else { return }
        let events = try await self.unattached(tenantID: tenantID, keys: keys, session: session)
        guard !events.isEmpty else { return }
        let plan = try await self.plan(events: events, recipients: recipients, tenantID: tenantID, session: session)
        try await self.attach(plan.attachments, recipients: recipients, tenantID: tenantID, session: session)
        try await self.apply(plan, tenantID: tenantID, session: session)
    }

    /// The events of these keys not attached to a recipient, in the order received: reports that
    /// beat their send, and masked Gateway copies held until they can be attributed.
    static func unattached(tenantID: UUID, keys: [StatusAttachment.Key], session: PGSession) async throws -> [StatusAttachment.Event] {
        try await session.query(
            """
            SELECT e.id, e.provider_account_id, e.provider_message_id, e.number_raw, e.number_e164, e.state, e.provider_code,
                   e.description, e.part_sequence, e.part_total, e.segments, e.occurred_at
            FROM status_events e
            JOIN \(fragment: self.wanted(keys)) ON e.provider_account_id = k.account_id AND e.provider_message_id = k.message_id
            WHERE e.tenant_id = \(tenantID) AND e.recipient_id IS NULL
            ORDER BY e.received_at, e.id
            """
        ).rows.map { row in
            StatusAttachment.Event(
                id: try row.decode("id"),
                key: StatusAttachment.Key(accountID: try row.decode("provider_account_id"), providerMessageID: try row.decode("provider_message_id")),
                numberRaw: try row.decode("number_raw"),
                numberE164: try row.decode("number_e164"),
                state: DeliveryState(rawValue: try row.decode("state")) ?? .unknown,
                code: try row.decode("provider_code"),
                description: try row.decode("description"),
                partSequence: try row.decode("part_sequence"),
                partTotal: try row.decode("part_total"),
                segments: try row.decode("segments"),
                occurredAt: try row.decode("occurred_at")
            )
        }
    }

    static func wanted(_ keys: [StatusAttachment.Key]) -> PGQuery {
        "(SELECT DISTINCT * FROM unnest(\(PGArray(keys.map(\.accountID)))::uuid[], \(PGArray(keys.map(\.providerMessageID)))::text[])) AS k(account_id, message_id)"
    }

    /// The recipients of these (account, provider message id) keys, in creation order.
    static func recipients(tenantID: UUID, keys: [StatusAttachment.Key], session: PGSession) async throws -> [StatusAttachment.Recipient] {
        try await session.query(
            """
            SELECT r.id, r.message_id, r.provider_account_id, r.provider_message_id, r.number_e164, r.status, r.status_code, r.status_inferred
            FROM message_recipients r
            JOIN \(fragment: self.wanted(keys)) ON r.provider_account_id = k.account_id AND r.provider_message_id = k.message_id
            WHERE r.tenant_id = \(tenantID)
            ORDER BY r.created_at, r.id
            """
        ).rows.map { row in
            StatusAttachment.Recipient(
                id: try row.decode("id"),
                key: StatusAttachment.Key(accountID: try row.decode("provider_account_id"), providerMessageID: try row.decode("provider_message_id")),
                numberE164: try row.decode("number_e164"),
                state: DeliveryState(rawValue: try row.decode("status")) ?? .queued,
                code: try row.decode("status_code"),
                inferred: try row.decode("status_inferred"),
                messageID: try row.decode("message_id")
            )
        }
    }

    /// `StatusAttachment.plan`, with the delivered parts read first when a long message's part may need them.
    static func plan(
        events: [StatusAttachment.Event],
        recipients: [StatusAttachment.Recipient],
        tenantID: UUID,
        session: PGSession
    ) async throws -> StatusAttachment.Plan {
        var deliveredParts: [UUID: Set<Int>] = [:]
        if events.contains(where: StatusAttachment.needsDeliveredParts) {
            let rows = try await session.query(
                """
                SELECT recipient_id, part_sequence FROM status_events
                WHERE tenant_id = \(tenantID) AND recipient_id = ANY(\(recipients.map(\.id))) AND state = 'delivered'
                  AND part_sequence IS NOT NULL
                """
            ).rows
            for row in rows {
                deliveredParts[try row.decode("recipient_id"), default: []].insert(try row.decode("part_sequence"))
            }
        }
        return StatusAttachment.plan(events: events, recipients: recipients, deliveredParts: deliveredParts)
    }

    /// Links stored events to the recipients a plan chose, each with its recipient's message and its
    /// number where the event does not name that number itself (migration 0022).
    static func attach(
        _ attachments: [(eventID: UUID, recipientID: UUID)],
        recipients: [StatusAttachment.Recipient],
        tenantID: UUID,
        session: PGSession
    ) async throws {
        guard !attachments.isEmpty else { return }
        let links = self.links(of: recipients)
        // Rows are locked in id order, the same in every transaction, so two writers cannot deadlock.
        // An event another transaction attached meanwhile keeps its recipient: both planned from
        // what they knew, and the first to commit knew enough.
        let sorted = attachments.sorted { UUID.precedes($0.eventID, $1.eventID) }
        try await session.query(
            """
            UPDATE status_events e SET recipient_id = k.recipient_id, message_id = k.message_id,
                recipient_number_e164 = CASE WHEN k.number_e164 IS DISTINCT FROM e.number_e164 THEN k.number_e164 END
            FROM unnest(\(sorted.map(\.eventID)), \(sorted.map(\.recipientID)), \(PGArray(sorted.map { links[$0.recipientID]?.messageID })),
                        \(PGArray(sorted.map { links[$0.recipientID]?.numberE164 })))
                 AS k(event_id, recipient_id, message_id, number_e164)
            WHERE e.tenant_id = \(tenantID) AND e.id = k.event_id AND e.recipient_id IS NULL
            """
        )
    }

    /// What an attached event copies from its recipient, by recipient id.
    static func links(of recipients: [StatusAttachment.Recipient]) -> [UUID: (messageID: UUID?, numberE164: String)] {
        var links: [UUID: (messageID: UUID?, numberE164: String)] = [:]
        for recipient in recipients { links[recipient.id] = (recipient.messageID, recipient.numberE164) }
        return links
    }

    /// Moves the plan's recipients forward, round by round.
    static func apply(_ plan: StatusAttachment.Plan, tenantID: UUID, session: PGSession) async throws {
        for round in plan.rounds {
            let moves = round.sorted { UUID.precedes($0.recipientID, $1.recipientID) }
            // The rank check is inside the UPDATE, so a concurrent writer that moved a recipient further
            // is never undone. An inferred expiry ranks below every final report (`DeliveryState.inferredRank`).
            try await session.query(
                """
                UPDATE message_recipients r SET
                    status = k.state,
                    status_code = k.code,
                    status_description = k.description,
                    status_at = coalesce(k.occurred_at, now()),
                    segments = coalesce(k.segments, r.segments),
                    submitted_at = CASE WHEN status_rank(k.state) >= 1 THEN coalesce(r.submitted_at, k.occurred_at, now()) ELSE r.submitted_at END,
                    sent_at = CASE WHEN status_rank(k.state) >= 2 AND k.state <> 'failed' THEN coalesce(r.sent_at, k.occurred_at, now()) ELSE r.sent_at END,
                    completed_at = CASE WHEN status_rank(k.state) = 4 THEN coalesce(k.occurred_at, now()) ELSE r.completed_at END,
                    status_inferred = false,
                    updated_at = now()
                FROM unnest(\(moves.map(\.recipientID)), \(moves.map(\.state.rawValue)), \(PGArray(moves.map(\.code))),
                            \(PGArray(moves.map(\.description))), \(PGArray(moves.map { $0.segments.map(Int32.init) })),
                            \(PGArray(moves.map(\.occurredAt))))
                     AS k(recipient_id, state, code, description, segments, occurred_at)
                WHERE r.tenant_id = \(tenantID) AND r.id = k.recipient_id
                  AND (CASE WHEN r.status_inferred THEN \(unescaped: String(DeliveryState.inferredRank)) ELSE status_rank(r.status) END) < status_rank(k.state)
                """
            )
        }
    }
}
