import Foundation
import Postgres
import SmsHubDomain

/// Writes provider events: append-only history, deduplicated by key, and each recipient's current
/// state moved forward only (the rank check is inside the UPDATE, so concurrent writers cannot regress it).
public struct PostgresEventStore: EventStore {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    public func store(_ batch: [IncomingEvents]) async throws -> [StoreOutcome] {
        try await self.database.pool.withTransaction { session in
            var outcomes: [StoreOutcome] = []
            var currentTenant: UUID?
            for item in batch {
                if currentTenant != item.tenantID {
                    // One batch can span tenants: the setting switches within the transaction.
                    try await Database.setTenant(item.tenantID, session)
                    currentTenant = item.tenantID
                }
                var outcome = StoreOutcome()
                for event in item.events {
                    let isNew = try await self.store(event, of: item, session: session)
                    if isNew { outcome.stored += 1 } else { outcome.duplicates += 1 }
                }
                outcomes.append(outcome)
            }
            return outcomes
        }
    }

    public func recordRejection(tenantID: UUID, accountID: UUID, provider: Provider, reason: String) async throws {
        try await self.database.withTenant(tenantID) { session in
            try await session.query(
                """
                INSERT INTO callback_receipts (tenant_id, provider_account_id, provider, outcome, reason)
                VALUES (\(tenantID), \(accountID), \(provider.rawValue), 'rejected', \(reason))
                """
            )
        }
    }

    private func store(_ event: ProviderEvent, of item: IncomingEvents, session: PGSession) async throws -> Bool {
        switch event {
        case .status(let report): try await self.storeStatus(report, item, session)
        case .reply(let reply): try await self.storeReply(reply, item, session)
        case .review(let review): try await self.storeReview(review, item, session)
        case .unrecognised(let unknown):
            try await session.query(
                """
                INSERT INTO callback_receipts (tenant_id, provider_account_id, provider, outcome, reason, raw)
                VALUES (\(item.tenantID), \(item.accountID), \(item.provider.rawValue), 'unrecognised', \(unknown.reason), \(PGJSON(text: unknown.raw)))
                """
            ).affectedRows == 1
        }
    }

    private func storeStatus(_ report: StatusReport, _ item: IncomingEvents, _ session: PGSession) async throws -> Bool {
        let inserted = try await session.query(
            """
            INSERT INTO status_events (tenant_id, provider_account_id, provider, provider_message_id, number_raw, number_e164, state,
                                       provider_code, description, part_sequence, part_total, segments, occurred_at, source, dedup_key, raw)
            VALUES (\(item.tenantID), \(item.accountID), \(item.provider.rawValue), \(report.providerMessageID), \(report.number?.raw),
                    \(report.number?.e164), \(report.state.rawValue), \(report.code), \(report.description),
                    \(report.partSequence.map(Int32.init)), \(report.partTotal.map(Int32.init)), \(report.segments.map(Int32.init)),
                    \(report.occurredAt), \(item.source.rawValue), \(report.dedupKey), \(PGJSON(text: report.raw)))
            ON CONFLICT (tenant_id, dedup_key) DO NOTHING
            RETURNING id
            """
        )
        guard let eventID = try inserted.first?.decode("id", as: UUID.self) else { return false }
        try await RecipientStatus.attachAndApply(
            tenantID: item.tenantID, accountID: item.accountID,
            providerMessageID: report.providerMessageID, session: session
        )
        return true
    }

    private func storeReply(_ reply: InboundReply, _ item: IncomingEvents, _ session: PGSession) async throws -> Bool {
        // The recipient replied to: by the provider's message id when given, else the latest message
        // from this account to this number (and extension, when the reply names one).
        let result = try await session.query(
            """
            WITH target AS (
                SELECT r.id, r.message_id FROM message_recipients r
                LEFT JOIN messages m ON m.tenant_id = r.tenant_id AND m.id = r.message_id
                WHERE r.tenant_id = \(item.tenantID) AND r.provider_account_id = \(item.accountID)
                  AND (CASE WHEN \(reply.providerMessageID)::text IS NOT NULL
                            THEN r.provider_message_id = \(reply.providerMessageID)
                            ELSE (CASE WHEN \(reply.number.e164)::text IS NOT NULL THEN r.number_e164 = \(reply.number.e164)
                                       -- A masked number (Gateway pulls: 138****5678) matches on its visible digits.
                                       ELSE (CASE WHEN r.number_e164 LIKE '+86%' THEN substr(r.number_e164, 4) ELSE substr(r.number_e164, 2) END)
                                            LIKE replace(\(reply.number.raw), '*', '_') END)
                                 AND (\(reply.extNo)::text IS NULL OR m.ext_no = \(reply.extNo)) END)
                ORDER BY (r.number_e164 = \(reply.number.e164)) DESC NULLS LAST, r.created_at DESC, r.id
                LIMIT 1
            )
            INSERT INTO replies (tenant_id, provider_account_id, provider, provider_message_id, recipient_id, message_id,
                                 number_raw, number_e164, content, ext_no, replied_at, source, dedup_key, raw)
            SELECT \(item.tenantID), \(item.accountID), \(item.provider.rawValue), \(reply.providerMessageID),
                   (SELECT id FROM target), (SELECT message_id FROM target),
                   \(reply.number.raw), \(reply.number.e164 ?? reply.number.raw), \(reply.content), \(reply.extNo), \(reply.repliedAt),
                   \(item.source.rawValue), \(reply.dedupKey), \(PGJSON(text: reply.raw))
            ON CONFLICT (tenant_id, dedup_key) DO NOTHING
            """
        )
        return result.affectedRows == 1
    }

    private func storeReview(_ review: ReviewResult, _ item: IncomingEvents, _ session: PGSession) async throws -> Bool {
        try await session.query(
            """
            INSERT INTO review_events (tenant_id, provider_account_id, provider, kind, subject, result, reason, occurred_at, dedup_key, raw)
            VALUES (\(item.tenantID), \(item.accountID), \(item.provider.rawValue), \(review.kind.rawValue), \(review.subject),
                    \(review.result.rawValue), \(review.reason), \(review.occurredAt), \(review.dedupKey), \(PGJSON(text: review.raw)))
            ON CONFLICT (tenant_id, dedup_key) DO NOTHING
            """
        ).affectedRows == 1
    }
}
