package import Foundation
import Postgres
package import SmsHubDomain

package struct PostgresMessageRepository: MessageRepository {
    let database: Database

    package init(database: Database) {
        self.database = database
    }

    package func create(_ message: NewMessage) async throws -> CreateMessageOutcome {
        do {
            return try await self.insert(message)
        } catch let error as PGError where error.sqlState == SQLState.uniqueViolation && error.constraint == "messages_idempotency_idx" {
            // Another request with this key committed first (possibly concurrently): compare fingerprints.
            guard let key = message.idempotencyKey else { throw error }
            return try await self.database.withTenant(message.tenantID) { session in
                let row = try await session.query(
                    "SELECT id, request_hash FROM messages WHERE tenant_id = \(message.tenantID) AND idempotency_key = \(key)"
                ).first
                guard let row else { throw error }
                guard try row.decode("request_hash", as: PGBytes?.self)?.bytes == message.fingerprint else { return .keyConflict }
                return .replayed(try await self.load(tenantID: message.tenantID, id: try row.decode("id"), session: session)!)
            }
        }
    }

    /// Thrown inside the transaction to roll it back: nothing stored, nothing reserved.
    private struct Refused: Error {
        var outcome: CreateMessageOutcome
    }

    private func insert(_ message: NewMessage) async throws -> CreateMessageOutcome {
        do {
            return .created(try await self.database.withTenant(message.tenantID) { session in try await self.insert(message, session: session) })
        } catch let refused as Refused {
            return refused.outcome
        }
    }

    /// The rules, the opt-out list, caps and quotas decide each recipient's first state; then the
    /// message and its recipients are written, all in the one transaction (docs/sending-rules.md).
    private func insert(_ message: NewMessage, session: PGSession) async throws -> Message {
        let tenantID = message.tenantID
        let numbers = message.recipients.map { $0.number.e164 ?? $0.number.raw }
        let head = try await session.query(
            """
            WITH rules AS (SELECT rules FROM tenant_send_rules WHERE tenant_id = \(tenantID))
            SELECT now() AS now, (SELECT rules::text FROM rules) AS rules,
                   -- Driven from the numbers, one key each: as `number_e164 = ANY(…)`, a cached generic
                   -- plan filtered the tenant's whole list by the array (1.3 s for 20,000 entries).
                   ARRAY(SELECT n FROM unnest(\(numbers)::text[]) AS n
                         WHERE EXISTS (\(fragment: OptOutStop.entry(tenantID: tenantID, number: "n", category: "\(message.category.rawValue)::text")))
                   ) AS opted_out
            """
        ).first
        guard let head else { throw PGError(kind: .decoding, message: "the acceptance's first query gave no row") }
        var now: Date = try head.decode("now")
        let rules = try head.decode("rules", as: String?.self).map(SendRules.init(stored:)) ?? SendRules()
        let optedOut = Set(try head.decode("opted_out", as: [String].self))
        let estimates = SegmentEstimates(message.content)
        let segments = numbers.map(estimates.segments)

        var states = [(status: String, code: String?, description: String?)](repeating: ("queued", nil, nil), count: numbers.count)
        var candidates: [(index: Int, candidate: SendAdmission.Candidate)] = []
        for (index, number) in numbers.enumerated() {
            if optedOut.contains(number) {
                states[index] = ("failed", OptOutStop.code, OptOutStop.description)
            } else {
                candidates.append((index, SendAdmission.Candidate(number: number, segments: segments[index])))
            }
        }
        // The message first: a second request with the same idempotency key waits here for the first
        // to commit (and then replays it), before it could take any cap or quota.
        let created = try await session.query(
            """
            INSERT INTO messages (tenant_id, id, provider_account_id, content, ext_no, client_reference, custom, idempotency_key, request_hash,
                                  recipient_count, route_account_ids, template_id, template_values, category)
            VALUES (\(tenantID), \(message.id), \(message.providerAccountID), \(message.content), \(message.extNo),
                    \(message.clientReference), \(PGJSON(text: message.customJSON)), \(message.idempotencyKey), \(PGBytes(message.fingerprint)),
                    \(message.recipients.count), \(message.routeAccountIDs.count > 1 ? message.routeAccountIDs : nil),
                    \(message.templateID), \(message.templateValuesJSON.map { PGJSON(text: $0) }), \(message.category.rawValue))
            RETURNING created_at
            """
        ).first!.decode("created_at", as: Date.self)
        // Caps: decided and stamped in the statement that locks the numbers' rows.
        let windows = rules.caps.windows(for: message.category)
        let (capRefusals, stampedAt) = try await SendAdmissionRows.admitCaps(
            candidates.map(\.candidate.number),
            category: message.category,
            windows: windows,
            tenantID: tenantID,
            session: session
        )
        if !capRefusals.isEmpty {
            let capped = SendAdmission.decide(
                candidates.map(\.candidate),
                capRefusals: capRefusals,
                quotas: Quotas(),
                periods: [],
                usage: [:],
                now: now
            )
            try Self.apply(capped, to: candidates, states: &states, single: numbers.count == 1)
        }
        // One statement for all recipients: arrays in, unnest in SQL. The states are only sent when
        // some recipient did not pass; a stopped one is final at once and never planned.
        let stopped = states.contains { $0.status != "queued" }
        try await session.query(
            """
            INSERT INTO message_recipients (tenant_id, id, message_id, provider_account_id, number_raw, number_e164, created_at, status_at, position,
                                            segments_estimated, status, status_code, status_description, completed_at)
            SELECT \(tenantID), r.id, \(message.id), \(message.providerAccountID), r.raw, r.e164, \(created), \(created), r.position, r.segments,
                   coalesce(s.status, 'queued'), s.code, s.description, CASE WHEN s.status = 'failed' THEN \(created) END
            FROM unnest(\(message.recipients.map(\.id))::uuid[], \(message.recipients.map(\.number.raw))::text[], \(numbers)::text[],
                        \(segments.map { Int16(clamping: $0) })::int2[]) WITH ORDINALITY AS r(id, raw, e164, segments, position)
            LEFT JOIN unnest(\(PGArray(stopped ? states.map(\.status) : []))::text[], \(PGArray(stopped ? states.map(\.code) : []))::text[],
                             \(PGArray(stopped ? states.map(\.description) : []))::text[]) WITH ORDINALITY AS s(status, code, description, position)
                   ON s.position = r.position
            """
        )
        // Quotas last: their rows are the tenant's hottest, held from here to the commit only.
        if !rules.quotas.isEmpty, candidates.contains(where: { states[$0.index].status == "queued" }) {
            let periods = QuotaPeriod.current(now, in: rules.quotas.timeZone)
            let usage: [QuotaPeriod.Kind: QuotaUsage]
            (usage, now) = try await SendAdmissionRows.lockQuotas(periods, tenantID: tenantID, session: session)
            let admission = SendAdmission.decide(
                candidates.map(\.candidate),
                capRefusals: capRefusals,
                quotas: rules.quotas,
                periods: periods,
                usage: usage,
                now: now
            )
            let before = states
            try Self.apply(admission, to: candidates, states: &states, single: numbers.count == 1)
            let over = candidates.filter { before[$0.index].status == "queued" && states[$0.index].status != "queued" }
            if !over.isEmpty {
                try await session.query(
                    """
                    UPDATE message_recipients r SET status = 'failed', status_code = 'rate_limited', status_description = x.description,
                        completed_at = status_at, updated_at = now()
                    FROM unnest(\(over.map { message.recipients[$0.index].id })::uuid[], \(over.map { states[$0.index].description ?? "" })::text[])
                         AS x(id, description)
                    WHERE r.tenant_id = \(tenantID) AND r.id = x.id
                    """
                )
                try await SendAdmissionRows.unstamp(
                    over.map(\.candidate.number),
                    category: message.category,
                    stampedAt: stampedAt,
                    tenantID: tenantID,
                    session: session
                )
            }
            try await SendAdmissionRows.addUsage(admission.added, periods: periods, tenantID: tenantID, session: session)
        }
        var recipients = message.recipients
        for index in recipients.indices where states[index].status != "queued" {
            recipients[index].status = .failed
            recipients[index].statusCode = states[index].code
            recipients[index].statusDescription = states[index].description
            recipients[index].statusAt = created
        }
        return Message(
            id: message.id,
            tenantID: tenantID,
            providerAccountID: message.providerAccountID,
            content: message.content,
            extNo: message.extNo,
            clientReference: message.clientReference,
            customJSON: message.customJSON,
            createdAt: created,
            recipients: recipients,
            category: message.category
        )
    }

    /// The recipients `admission` refused end `failed` with `rate_limited`; when the message has one
    /// recipient, its refusal is the request's answer (429) and the transaction rolls back.
    private static func apply(
        _ admission: SendAdmission,
        to candidates: [(index: Int, candidate: SendAdmission.Candidate)],
        states: inout [(status: String, code: String?, description: String?)],
        single: Bool
    ) throws {
        for ((index, _), verdict) in zip(candidates, admission.verdicts) {
            guard case .rateLimited(let wait, let reason) = verdict else { continue }
            if single { throw Refused(outcome: .rateLimited(retryAfter: wait, reason: reason)) }
            states[index] = ("failed", "rate_limited", "over \(reason): no provider was called")
        }
    }

    func load(tenantID: UUID, id: UUID, session: PGSession) async throws -> Message? {
        guard
            let row = try await session.query(
                """
                SELECT id, provider_account_id, content, ext_no, client_reference, custom::text AS custom, created_at, redacted_at, category
                FROM messages WHERE tenant_id = \(tenantID) AND id = \(id)
                """
            ).first
        else { return nil }
        let recipients = try await session.query(
            """
            SELECT id, number_raw, number_e164, status, status_code, status_description, status_at FROM message_recipients
            WHERE tenant_id = \(tenantID) AND message_id = \(id) ORDER BY position NULLS LAST, created_at, id
            """
        ).rows.map(Self.recipient)
        var message = Message(
            id: try row.decode("id"),
            tenantID: tenantID,
            providerAccountID: try row.decode("provider_account_id"),
            content: try row.decode("content"),
            extNo: try row.decode("ext_no"),
            clientReference: try row.decode("client_reference"),
            customJSON: try row.decode("custom"),
            createdAt: try row.decode("created_at"),
            recipients: recipients
        )
        message.redactedAt = try row.decode("redacted_at")
        message.category = TemplateCategory(rawValue: try row.decode("category")) ?? .notification
        return message
    }

    /// A recipient's current state from a `message_recipients` row (id, number_raw, number_e164,
    /// status, status_code, status_description, status_at).
    static func recipient(_ row: PGRow) throws -> Recipient {
        Recipient(
            id: try row.decode("id"),
            number: PhoneNumber(raw: try row.decode("number_raw"), e164: try row.decode("number_e164")),
            status: DeliveryState(rawValue: try row.decode("status")) ?? .unknown,
            statusCode: try row.decode("status_code"),
            statusDescription: try row.decode("status_description"),
            statusAt: try row.decode("status_at")
        )
    }

    package func get(tenantID: UUID, id: UUID) async throws -> Message? {
        try await self.database.withTenant(tenantID) { session in
            try await self.load(tenantID: tenantID, id: id, session: session)
        }
    }

    package func defaultAccount(tenantID: UUID, provider: Provider) async throws -> ProviderAccount? {
        try await self.database.withTenant(tenantID) { session in
            let result = try await session.query(
                """
                SELECT \(unescaped: PostgresProviderAccountRepository.columns) FROM provider_accounts
                WHERE tenant_id = \(tenantID) AND provider = \(provider.rawValue) AND is_default
                """
            )
            return try result.first.map { try PostgresProviderAccountRepository.record($0).account }
        }
    }
}
