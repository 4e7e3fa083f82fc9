import Foundation
import Postgres
import SmsHubDomain

extension PostgresEventStore {
    /// Pushes whose reports were stored from their pulled copies: each copy takes its push's full number,
    /// and what it attached to follows. A status copy is detached and attached again (by the number, now
    /// exact), which moves the pushed number's recipient; a reply copy is linked again by the number.
    /// Only copies still holding a masked number change, so rows from before 0012 are left as they are.
    func rehome(_ rehomes: [GatewayCopyTallies.Rehome], tenantID: UUID, session: PGSession) async throws {
        var statuses: [(key: String, report: StatusReport)] = []
        for rehome in rehomes {
            switch rehome.event {
            case .status(let report):
                statuses.append((rehome.dedupKey, report))
            case .reply(let reply):
                try await session.query(
                    """
                    WITH target AS (\(fragment: Self.replyTarget(reply, tenantID: tenantID, accountID: rehome.accountID)))
                    UPDATE replies SET number_raw = \(reply.number.raw), number_e164 = \(reply.number.e164 ?? reply.number.raw),
                                       recipient_id = (SELECT id FROM target), message_id = (SELECT message_id FROM target)
                    WHERE tenant_id = \(tenantID) AND dedup_key = \(rehome.dedupKey) AND strpos(number_e164, '*') > 0
                    """
                )
            case .review, .unrecognised:
                continue
            }
        }
        guard !statuses.isEmpty else { return }
        let moved = try await session.query(
            """
            UPDATE status_events e SET number_raw = k.number_raw, number_e164 = k.number_e164, recipient_id = NULL, message_id = NULL,
                recipient_number_e164 = NULL
            FROM unnest(\(statuses.map(\.key)), \(statuses.map { $0.report.number?.raw ?? "" }), \(PGArray(statuses.map { $0.report.number?.e164 })))
                 AS k(dedup_key, number_raw, number_e164)
            WHERE e.tenant_id = \(tenantID) AND e.dedup_key = k.dedup_key AND e.number_e164 IS NULL
            RETURNING e.provider_account_id, e.provider_message_id
            """
        )
        var keys: [StatusAttachment.Key] = []
        for row in moved.rows {
            let key = StatusAttachment.Key(accountID: try row.decode("provider_account_id"), providerMessageID: try row.decode("provider_message_id"))
            if !keys.contains(key) { keys.append(key) }
        }
        try await RecipientStatus.attachAndApply(tenantID: tenantID, keys: keys, session: session)
    }
}
