import Foundation
import Postgres
import SmsHubDomain

/// Moving recipients forward from their status events. Used when events arrive and again when
/// recipients appear (a report may come before the send that it reports on has committed).
public enum RecipientStatus {
    /// Links unattached events of `providerMessageID` to their recipient and applies each, in order.
    ///
    /// Matching: a recipient of this account with this provider message id whose number equals the
    /// event's E.164 number, or fits the event's mask (`138****5678`), or, when the event names no
    /// number, the only such recipient. Several recipients of one Gateway task can share a mask; they
    /// are taken in a stable order (creation, then id), each event going to the first that it can
    /// still move forward, so reports for two such numbers land on two rows.
    public static func attachAndApply(tenantID: UUID, accountID: UUID, providerMessageID: String, session: PGSession) async throws {
        let events = try await session.query(
            """
            SELECT id, number_raw, number_e164, state, provider_code, description, part_sequence, part_total, segments, occurred_at, received_at
            FROM status_events
            WHERE tenant_id = \(tenantID) AND provider_account_id = \(accountID) AND provider_message_id = \(providerMessageID)
              AND recipient_id IS NULL
            ORDER BY received_at, id
            """
        )
        guard events.rowCount > 0 else { return }
        let recipients = try await session.query(
            """
            SELECT id, number_e164, status FROM message_recipients
            WHERE tenant_id = \(tenantID) AND provider_account_id = \(accountID) AND provider_message_id = \(providerMessageID)
            ORDER BY created_at, id
            """
        )
        guard recipients.rowCount > 0 else { return }
        var candidates: [(id: UUID, e164: String, rank: Int)] = try recipients.rows.map {
            (try $0.decode("id"), try $0.decode("number_e164"), DeliveryState(rawValue: try $0.decode("status"))?.rank ?? 0)
        }
        for row in events.rows {
            let eventID: UUID = try row.decode("id")
            let e164: String? = try row.decode("number_e164")
            let rawNumber: String? = try row.decode("number_raw")
            var state = DeliveryState(rawValue: try row.decode("state")) ?? .unknown
            let matching = candidates.indices.filter { index in
                if let e164 { return candidates[index].e164 == e164 }
                if let rawNumber, PhoneNumber.isMasked(rawNumber) { return PhoneNumber.mask(rawNumber, matches: candidates[index].e164) }
                return candidates.count == 1
            }
            guard let chosen = matching.first(where: { candidates[$0].rank < state.rank }) ?? matching.first else { continue }
            let recipientID = candidates[chosen].id
            try await session.query("UPDATE status_events SET recipient_id = \(recipientID) WHERE tenant_id = \(tenantID) AND id = \(eventID)")

            // A long message is delivered only once every part is.
            if state == .delivered, let total: Int = try row.decode("part_total"), total > 1 {
                let parts = try await session.query(
                    """
                    SELECT count(DISTINCT part_sequence) AS n FROM status_events
                    WHERE tenant_id = \(tenantID) AND recipient_id = \(recipientID) AND state = 'delivered'
                    """
                ).first!.decode("n", as: Int.self)
                if parts < total { state = .sent }
            }
            let occurred: Date? = try row.decode("occurred_at")
            let updated = try await session.query(
                """
                UPDATE message_recipients SET
                    status = \(state.rawValue),
                    status_code = \(try row.decode("provider_code", as: String?.self)),
                    status_description = \(try row.decode("description", as: String?.self)),
                    status_at = coalesce(\(occurred), now()),
                    segments = coalesce(\(try row.decode("segments", as: Int?.self)), segments),
                    submitted_at = CASE WHEN status_rank(\(state.rawValue)) >= 1 THEN coalesce(submitted_at, \(occurred), now()) ELSE submitted_at END,
                    sent_at = CASE WHEN status_rank(\(state.rawValue)) >= 2 AND \(state.rawValue) NOT IN ('failed') THEN coalesce(sent_at, \(occurred), now()) ELSE sent_at END,
                    completed_at = CASE WHEN status_rank(\(state.rawValue)) = 4 THEN coalesce(\(occurred), now()) ELSE completed_at END,
                    updated_at = now()
                WHERE tenant_id = \(tenantID) AND id = \(recipientID) AND status_rank(status) < status_rank(\(state.rawValue))
                """
            )
            if updated.affectedRows == 1 { candidates[chosen].rank = state.rank }
        }
    }
}
