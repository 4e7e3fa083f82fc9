package import Foundation
import Postgres
package import SmsHubDomain

extension PostgresQueryRepository {
    package func reviewEvents(tenantID: UUID, filter: ReviewEventFilter, limit: Int, cursor: PageCursor?) async throws -> Page<ReviewEventRecord> {
        var conditions: [PGQuery] = ["tenant_id = \(tenantID)"]
        if let account = filter.providerAccountID { conditions.append("provider_account_id = \(account)") }
        if let kind = filter.kind { conditions.append("kind = \(kind.rawValue)") }
        if let subject = filter.subject { conditions.append("subject = \(subject)") }
        if let result = filter.result { conditions.append("result = \(result.rawValue)") }
        conditions += Keyset.conditions(time: "received_at", id: "id", range: filter.received, cursor: cursor)
        return try await self.database.withTenant(tenantID) { session in
            let result = try await session.query(
                """
                SELECT id, provider_account_id, provider, kind, subject, result, reason, occurred_at, received_at FROM review_events
                WHERE \(fragment: Keyset.whereClause(conditions))
                ORDER BY received_at DESC, id DESC LIMIT \(limit + 1)
                """
            )
            return Page(overfetched: try result.rows.map(Self.reviewEvent), limit: limit) { PageCursor(time: $0.receivedAt, id: $0.id) }
        }
    }

    static func reviewEvent(_ row: PGRow) throws -> ReviewEventRecord {
        ReviewEventRecord(
            id: try row.decode("id"),
            providerAccountID: try row.decode("provider_account_id"),
            provider: try row.decode("provider"),
            kind: ReviewResult.Kind(rawValue: try row.decode("kind")) ?? .template,
            subject: try row.decode("subject"),
            result: ReviewResult.Result(rawValue: try row.decode("result")) ?? .unknown,
            reason: try row.decode("reason"),
            occurredAt: try row.decode("occurred_at"),
            receivedAt: try row.decode("received_at")
        )
    }
}
