package import Foundation
import Postgres
package import SmsHubDomain

extension PostgresQueryRepository {
    static let replyColumns = """
        id, provider_account_id, provider, provider_message_id, message_id, recipient_id, number_raw, number_e164, content, ext_no,
        replied_at, received_at, source, redacted_at
        """

    package func replies(tenantID: UUID, filter: ReplyFilter, limit: Int, cursor: PageCursor?) async throws -> Page<ReplyRecord> {
        var conditions: [PGQuery] = ["tenant_id = \(tenantID)"]
        if let account = filter.providerAccountID { conditions.append("provider_account_id = \(account)") }
        if let number = filter.numberE164 { conditions.append("number_e164 = \(number)") }
        if let message = filter.messageID { conditions.append("message_id = \(message)") }
        conditions += Keyset.conditions(time: "received_at", id: "id", range: filter.received, cursor: cursor)
        return try await self.database.withTenant(tenantID) { session in
            let result = try await session.query(
                """
                SELECT \(unescaped: Self.replyColumns) FROM replies WHERE \(fragment: Keyset.whereClause(conditions))
                ORDER BY received_at DESC, id DESC LIMIT \(limit + 1)
                """
            )
            return Page(overfetched: try result.rows.map(Self.reply), limit: limit) { PageCursor(time: $0.receivedAt, id: $0.id) }
        }
    }

    package func reply(tenantID: UUID, id: UUID) async throws -> ReplyRecord? {
        try await self.database.withTenant(tenantID) { session in
            try await session.query("SELECT \(unescaped: Self.replyColumns) FROM replies WHERE tenant_id = \(tenantID) AND id = \(id)")
                .first.map(Self.reply)
        }
    }

    static func reply(_ row: PGRow) throws -> ReplyRecord {
        var reply = ReplyRecord(
            id: try row.decode("id"),
            providerAccountID: try row.decode("provider_account_id"),
            provider: try row.decode("provider"),
            providerMessageID: try row.decode("provider_message_id"),
            messageID: try row.decode("message_id"),
            recipientID: try row.decode("recipient_id"),
            number: PhoneNumber(raw: try row.decode("number_raw"), e164: try row.decode("number_e164")),
            content: try row.decode("content"),
            extNo: try row.decode("ext_no"),
            repliedAt: try row.decode("replied_at"),
            receivedAt: try row.decode("received_at"),
            source: try row.decode("source")
        )
        reply.redactedAt = try row.decode("redacted_at")
        return reply
    }
}
