package import Foundation
import Postgres
package import SmsHubDomain

extension PostgresQueryRepository {
    static let messageColumns = """
        m.id, m.provider_account_id, m.content, m.ext_no, m.client_reference, m.custom::text AS custom, m.created_at, m.recipient_count, m.redacted_at, m.category
        """

    package func messages(tenantID: UUID, filter: MessageFilter, limit: Int, cursor: PageCursor?) async throws -> Page<MessageSummary> {
        try await self.database.withTenant(tenantID) { session in
            let result = try await session.query(Self.messageQuery(tenantID: tenantID, filter: filter, limit: limit, cursor: cursor))
            return Page(overfetched: try result.rows.map(Self.messageSummary), limit: limit) { PageCursor(time: $0.createdAt, id: $0.id) }
        }
    }

    /// Recipients share their message's created_at, so (created_at, message_id) over recipients orders
    /// exactly like (created_at, id) over messages, and one cursor serves both walks.
    static func messageQuery(tenantID: UUID, filter: MessageFilter, limit: Int, cursor: PageCursor?) -> PGQuery {
        var recipientConditions: [PGQuery] = []
        if let status = filter.status { recipientConditions.append("r.status = \(status.rawValue)") }
        if let number = filter.numberE164 { recipientConditions.append("r.number_e164 = \(number)") }

        // A client reference names few messages: walk them and check recipients per message.
        // Otherwise a recipient filter drives the walk over its own index.
        if filter.clientReference != nil || recipientConditions.isEmpty {
            var conditions: [PGQuery] = ["m.tenant_id = \(tenantID)"]
            if let account = filter.providerAccountID { conditions.append("m.provider_account_id = \(account)") }
            if let reference = filter.clientReference { conditions.append("m.client_reference = \(reference)") }
            conditions += Keyset.conditions(time: "m.created_at", id: "m.id", range: filter.created, cursor: cursor)
            if !recipientConditions.isEmpty {
                let matching = Keyset.whereClause(recipientConditions)
                conditions.append(
                    "EXISTS (SELECT 1 FROM message_recipients r WHERE r.tenant_id = m.tenant_id AND r.message_id = m.id AND \(fragment: matching))"
                )
            }
            return """
                SELECT \(unescaped: messageColumns) FROM messages m WHERE \(fragment: Keyset.whereClause(conditions))
                ORDER BY m.created_at DESC, m.id DESC LIMIT \(limit + 1)
                """
        }
        var conditions: [PGQuery] = ["r.tenant_id = \(tenantID)"]
        conditions += recipientConditions
        if let account = filter.providerAccountID { conditions.append("r.provider_account_id = \(account)") }
        conditions += Keyset.conditions(time: "r.created_at", id: "r.message_id", range: filter.created, cursor: cursor)
        return """
            SELECT \(unescaped: messageColumns)
            FROM (
                SELECT DISTINCT r.created_at, r.message_id FROM message_recipients r
                WHERE \(fragment: Keyset.whereClause(conditions))
                ORDER BY r.created_at DESC, r.message_id DESC LIMIT \(limit + 1)
            ) k
            JOIN messages m ON m.tenant_id = \(tenantID) AND m.id = k.message_id
            ORDER BY k.created_at DESC, k.message_id DESC
            """
    }

    static func messageSummary(_ row: PGRow) throws -> MessageSummary {
        var summary = MessageSummary(
            id: try row.decode("id"),
            providerAccountID: try row.decode("provider_account_id"),
            content: try row.decode("content"),
            extNo: try row.decode("ext_no"),
            clientReference: try row.decode("client_reference"),
            customJSON: try row.decode("custom"),
            createdAt: try row.decode("created_at"),
            recipientCount: try row.decode("recipient_count")
        )
        summary.redactedAt = try row.decode("redacted_at")
        summary.category = TemplateCategory(rawValue: try row.decode("category")) ?? .notification
        return summary
    }
}
