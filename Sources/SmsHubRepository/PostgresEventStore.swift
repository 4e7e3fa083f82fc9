import Cryptography
package import Foundation
import Postgres
package import SmsHubDomain

/// Writes provider events: append-only history, deduplicated by key, and each recipient's current
/// state moved forward only (the rank check is inside the UPDATE, so concurrent writers cannot regress it).
package struct PostgresEventStore: EventStore {
    let database: Database

    package init(database: Database) {
        self.database = database
    }

    package func store(_ incoming: [IncomingEvents]) async throws -> [StoreOutcome] {
        let groups = Self.groupedByTenant(incoming)
        guard let first = groups.first?.0 else { return [] }
        // Concurrent batches touching one task's masked copies can still deadlock; the batch holds
        // only its own inserts (deduplicated by key), so it is run again whole.
        return try await self.database.retryingConflicts {
            try await self.storeOnce(incoming, groups: groups, first: first)
        }
    }

    private func storeOnce(_ incoming: [IncomingEvents], groups: [(UUID, [Int])], first: UUID) async throws -> [StoreOutcome] {
        try await self.database.withTenantsInTurn(first: first) { session, switchTo in
            var batch = incoming
            var outcomes = Array(repeating: StoreOutcome(), count: batch.count)
            // One batch can span tenants: each tenant's items are written under its own setting.
            for (tenantID, indices) in groups {
                if tenantID != first { try await switchTo(tenantID) }
                let copies = try await GatewayCopyTallies.count(&batch, indices: indices, tenantID: tenantID, session: session)
                for (index, dropped) in copies.dropped { outcomes[index].duplicates += dropped }
                try await GatewayTaskLocks.lock(
                    GatewayTaskLocks.tasks(of: indices, in: batch, rehomes: copies.rehomes),
                    tenantID: tenantID,
                    session: session
                )
                try await self.storeStatuses(of: indices, in: batch, tenantID: tenantID, outcomes: &outcomes, session: session)
                for index in indices {
                    let item = batch[index]
                    for event in item.events {
                        let isNew: Bool
                        switch event {
                        case .status: continue
                        case .reply(let reply): isNew = try await self.storeReply(reply, item, session)
                        case .review(let review): isNew = try await self.storeReview(review, item, session)
                        case .unrecognised(let unknown): isNew = try await self.storeUnrecognised(unknown, item, session)
                        }
                        if isNew { outcomes[index].stored += 1 } else { outcomes[index].duplicates += 1 }
                    }
                }
                // After the inserts: a pulled copy and its push can share a batch.
                try await self.rehome(copies.rehomes, tenantID: tenantID, session: session)
            }
            return outcomes
        }
    }

    /// Tenants in id order (every transaction then locks rows tenant by tenant in the same order),
    /// each with the positions of its items.
    private static func groupedByTenant(_ batch: [IncomingEvents]) -> [(UUID, [Int])] {
        var positions: [UUID: [Int]] = [:]
        for (index, item) in batch.enumerated() {
            positions[item.tenantID, default: []].append(index)
        }
        return positions.sorted { UUID.precedes($0.key, $1.key) }.map { ($0.key, $0.value) }
    }

    /// Every status report of one tenant's items in one INSERT (the columns as arrays, `unnest`ed into
    /// rows), each already linked to its recipient: the recipients of the reports' messages are read
    /// first and `StatusAttachment` plans against them, so an event is written once, attached. (Attaching
    /// afterwards rewrote each event row, and every one of its index entries, in a second statement.)
    /// Then the recipients move. Reports on messages not (yet) recorded cost the read and the INSERT.
    /// `bench/pgbench_ingest.sql` replays this INSERT to measure the database alone: change both together.
    private func storeStatuses(
        of indices: [Int],
        in batch: [IncomingEvents],
        tenantID: UUID,
        outcomes: inout [StoreOutcome],
        session: PGSession
    ) async throws {
        var rows: [(index: Int, item: IncomingEvents, report: StatusReport)] = []
        for index in indices {
            for case .status(let report) in batch[index].events { rows.append((index, batch[index], report)) }
        }
        guard !rows.isEmpty else { return }
        var keys: [StatusAttachment.Key] = []
        var seen = Set<StatusAttachment.Key>()
        for row in rows {
            let key = StatusAttachment.Key(accountID: row.item.accountID, providerMessageID: row.report.providerMessageID)
            if seen.insert(key).inserted { keys.append(key) }
        }
        let ids = SecureRandom.uuids(rows.count)
        let recipients = try await RecipientStatus.recipients(tenantID: tenantID, keys: keys, session: session)
        var plan = StatusAttachment.Plan()
        var held: [StatusAttachment.Event] = []
        if !recipients.isEmpty {
            // Masked copies held for want of attribution (`MaskedCopies`) are planned again beside
            // every new Gateway report of their task: the new one may settle who they are for.
            let gatewayKeys = Set(
                rows.filter { $0.item.provider == .gateway }.map {
                    StatusAttachment.Key(accountID: $0.item.accountID, providerMessageID: $0.report.providerMessageID)
                }
            )
            let withRecipients = Set(recipients.map(\.key))
            let probe = keys.filter { gatewayKeys.contains($0) && withRecipients.contains($0) }
            if !probe.isEmpty { held = try await RecipientStatus.unattached(tenantID: tenantID, keys: probe, session: session) }
            let events =
                held
                + zip(ids, rows).map { id, row in
                    StatusAttachment.Event(
                        id: id,
                        key: StatusAttachment.Key(accountID: row.item.accountID, providerMessageID: row.report.providerMessageID),
                        numberRaw: row.report.number?.raw,
                        numberE164: row.report.number?.e164,
                        state: row.report.state,
                        code: row.report.code,
                        description: row.report.description,
                        partSequence: row.report.partSequence,
                        partTotal: row.report.partTotal,
                        segments: row.report.segments,
                        occurredAt: row.report.occurredAt
                    )
                }
            plan = try await RecipientStatus.plan(events: events, recipients: recipients, tenantID: tenantID, session: session)
        }
        var recipientOf: [UUID: UUID] = [:]
        for attachment in plan.attachments { recipientOf[attachment.eventID] = attachment.recipientID }
        // The recipient's message, and its number where the report does not name it (migration 0022):
        // lists need no lookup per event, and a number's events are index ranges.
        let links = RecipientStatus.links(of: recipients)
        let linked = ids.map { recipientOf[$0].flatMap { links[$0] } }
        let recipientNumbers: [String?] = zip(linked, rows).map { link, row in
            guard let number = link?.numberE164, number != row.report.number?.e164 else { return nil }
            return number
        }
        let heldIDs = Set(held.map(\.id))
        try await RecipientStatus.attach(
            plan.attachments.filter { heldIDs.contains($0.eventID) },
            recipients: recipients,
            tenantID: tenantID,
            session: session
        )
        let inserted = try await session.query(
            """
            INSERT INTO status_events (tenant_id, id, recipient_id, message_id, recipient_number_e164, provider_account_id, provider, provider_message_id,
                                       number_raw, number_e164, state, provider_code, description, part_sequence, part_total, segments,
                                       occurred_at, source, dedup_key, raw)
            SELECT \(tenantID), e.*
            FROM unnest(\(ids), \(PGArray(ids.map { recipientOf[$0] })), \(PGArray(linked.map { $0?.messageID })), \(PGArray(recipientNumbers)),
                        \(rows.map(\.item.accountID)), \(rows.map(\.item.provider.rawValue)),
                        \(rows.map(\.report.providerMessageID)), \(PGArray(rows.map(\.report.number?.raw))), \(PGArray(rows.map(\.report.number?.e164))),
                        \(rows.map(\.report.state.rawValue)), \(PGArray(rows.map(\.report.code))), \(PGArray(rows.map(\.report.description))),
                        \(PGArray(rows.map { $0.report.partSequence.map(Int32.init) })), \(PGArray(rows.map { $0.report.partTotal.map(Int32.init) })),
                        \(PGArray(rows.map { $0.report.segments.map(Int32.init) })), \(PGArray(rows.map(\.report.occurredAt))),
                        \(rows.map(\.item.source.rawValue)), \(rows.map(\.report.dedupKey)), \(rows.map { PGJSON(text: $0.report.raw) }))
                 AS e(id, recipient_id, message_id, recipient_number_e164, provider_account_id, provider, provider_message_id, number_raw, number_e164, state, provider_code,
                      description, part_sequence, part_total, segments, occurred_at, source, dedup_key, raw)
            ON CONFLICT (tenant_id, dedup_key) DO NOTHING
            RETURNING dedup_key
            """
        )
        var fresh = Set<String>()
        for row in inserted.rows { fresh.insert(try row.decode("dedup_key")) }
        let stored = fresh
        for row in rows {
            // A key inserted once counts as stored for its first report in the batch; any repeat is a duplicate.
            if fresh.remove(row.report.dedupKey) != nil { outcomes[row.index].stored += 1 } else { outcomes[row.index].duplicates += 1 }
        }
        try await self.listOptOuts(
            rows.map { ($0.item, $0.report) },
            numbers: linked.map { $0?.numberE164 },
            stored: stored,
            tenantID: tenantID,
            session: session
        )
        // Moves planned from duplicates too: a duplicate says what its stored original said, which has
        // moved (or, arriving now in another transaction, moves) the recipient as far; the rank check in
        // the UPDATE makes a repeated move a no-op.
        try await RecipientStatus.apply(plan, tenantID: tenantID, session: session)
    }

    /// Reports stored now whose code says the number opted out or is blacklisted put it on the list
    /// (docs/sending-rules.md, "Opt-out"): by the number they name, else their recipient's.
    private func listOptOuts(
        _ reports: [(item: IncomingEvents, report: StatusReport)],
        numbers: [String?],
        stored: Set<String>,
        tenantID: UUID,
        session: PGSession
    ) async throws {
        var additions: [OptOutWrites.Addition] = []
        for ((item, report), recipientNumber) in zip(reports, numbers) where stored.contains(report.dedupKey) {
            guard let kind = OptOutCodes.kind(provider: item.provider, code: report.code),
                let number = report.number?.e164 ?? recipientNumber
            else { continue }
            additions.append(
                .init(
                    number: number,
                    scope: .all,
                    cause: OptOutCause(source: .report, providerAccountID: item.accountID, code: report.code),
                    blacklisting: kind == .blacklist
                )
            )
        }
        try await OptOutWrites.add(additions, tenantID: tenantID, session: session)
    }

    package func recordRejection(tenantID: UUID, accountID: UUID, provider: Provider, reason: String) async throws {
        _ = try await self.database.withTenant(tenantID) { session in
            try await session.query(
                """
                INSERT INTO callback_receipts (tenant_id, provider_account_id, provider, outcome, reason)
                VALUES (\(tenantID), \(accountID), \(provider.rawValue), 'rejected', \(reason))
                """
            )
        }
    }

    package func claim(_ token: OneUseToken, tenantID: UUID, accountID: UUID) async throws -> Bool {
        try await self.database.withTenant(tenantID) { session in
            // The insert's own row, or the one it found. A concurrent claim of the same token that
            // committed after this statement's snapshot is found by asking once more.
            for _ in 0..<2 {
                let result = try await session.query(
                    """
                    WITH claimed AS (
                        INSERT INTO callback_tokens (tenant_id, provider_account_id, token_digest, fingerprint)
                        VALUES (\(tenantID), \(accountID), \(PGBytes(token.digest)), \(PGBytes(token.fingerprint)))
                        ON CONFLICT (provider_account_id, token_digest) DO NOTHING
                        RETURNING fingerprint)
                    SELECT fingerprint FROM claimed
                    UNION ALL
                    SELECT fingerprint FROM callback_tokens WHERE provider_account_id = \(accountID) AND token_digest = \(PGBytes(token.digest))
                    LIMIT 1
                    """
                )
                if let row = result.rows.first { return try row.decode(column: 0, as: PGBytes.self).bytes == token.fingerprint }
            }
            return false
        }
    }

    private func storeUnrecognised(_ unknown: UnrecognisedEvent, _ item: IncomingEvents, _ session: PGSession) async throws -> Bool {
        try await session.query(
            """
            INSERT INTO callback_receipts (tenant_id, provider_account_id, provider, outcome, reason, raw)
            VALUES (\(item.tenantID), \(item.accountID), \(item.provider.rawValue), 'unrecognised', \(unknown.reason), \(PGJSON(text: unknown.raw)))
            """
        ).affectedRows == 1
    }

    /// The recipient a reply answers: by the provider's message id when given, else the latest message
    /// from this account to this number (and extension, when the reply names one).
    static func replyTarget(_ reply: InboundReply, tenantID: UUID, accountID: UUID) -> PGQuery {
        """
        SELECT r.id, r.message_id FROM message_recipients r
        LEFT JOIN messages m ON m.tenant_id = r.tenant_id AND m.id = r.message_id
        WHERE r.tenant_id = \(tenantID) AND r.provider_account_id = \(accountID)
          AND (CASE WHEN \(reply.providerMessageID)::text IS NOT NULL
                    THEN r.provider_message_id = \(reply.providerMessageID)
                    ELSE (CASE WHEN \(reply.number.e164)::text IS NOT NULL THEN r.number_e164 = \(reply.number.e164)
                               -- A masked number (Gateway pulls: 138****5678) matches on its visible digits.
                               ELSE \(fragment: MaskedNumberSQL.fits(mask: "\(reply.number.raw)", e164Column: "r.number_e164")) END)
                         AND (\(reply.extNo)::text IS NULL OR m.ext_no = \(reply.extNo)) END)
        -- The UTC day first (it orders as created_at does): a masked number walks the
        -- (tenant_id, UTC day) index newest first, recipients having no other index by time.
        ORDER BY (r.number_e164 = \(reply.number.e164)) DESC NULLS LAST, (r.created_at AT TIME ZONE 'UTC')::date DESC, r.created_at DESC, r.id
        LIMIT 1
        """
    }

    private func storeReply(_ reply: InboundReply, _ item: IncomingEvents, _ session: PGSession) async throws -> Bool {
        let result = try await session.query(
            """
            WITH target AS (\(fragment: Self.replyTarget(reply, tenantID: item.tenantID, accountID: item.accountID)))
            INSERT INTO replies (tenant_id, provider_account_id, provider, provider_message_id, recipient_id, message_id,
                                 number_raw, number_e164, content, ext_no, replied_at, source, dedup_key, raw)
            SELECT \(item.tenantID), \(item.accountID), \(item.provider.rawValue), \(reply.providerMessageID),
                   (SELECT id FROM target), (SELECT message_id FROM target),
                   \(reply.number.raw), \(reply.number.e164 ?? reply.number.raw), \(reply.content), \(reply.extNo), \(reply.repliedAt),
                   \(item.source.rawValue), \(reply.dedupKey), \(PGJSON(text: reply.raw))
            ON CONFLICT (tenant_id, dedup_key) DO NOTHING
            RETURNING id
            """
        )
        guard let row = result.first else { return false }
        // Only a reply stored now acts on the list: a repeat of an old `R` must not undo a later `START`.
        if let number = reply.number.e164, let intent = OptOutKeywords.intent(of: reply.content, provider: item.provider) {
            let cause = OptOutCause(source: .reply, providerAccountID: item.accountID, replyID: try row.decode("id"))
            switch intent {
            case .optOut:
                try await OptOutWrites.add([.init(number: number, scope: .all, cause: cause)], tenantID: item.tenantID, session: session)
            case .optIn:
                try await OptOutWrites.remove(
                    number: number,
                    matching: OptOutWrites.liftedByReply,
                    cause: cause,
                    tenantID: item.tenantID,
                    session: session
                )
            }
        }
        return true
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
