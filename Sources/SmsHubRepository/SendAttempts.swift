import Foundation
import Postgres
import SmsHubDomain

/// The attempt rows of calls to providers without an idempotency key (migration 0030, decision 0019):
/// written before the call in the claim's transaction, completed with the call's outcome, and settled
/// as unknown when the claim's lease lapsed with the call's outcome unrecorded.
enum SendAttempts {
    static let lapsedDescription = "the instance calling the provider stopped before recording the answer; the message may have gone out"

    /// Settles the tenant's tasks of SUBMAIL, Huawei and EngageLab accounts whose lease lapsed during
    /// the call: the task is done, its attempts and recipients `unknown` (code `outcome_unknown`), and
    /// reports that already came for the call are applied.
    static func settleLapsed(tenantID: UUID, session: PGSession) async throws {
        let settled = try await session.query(
            """
            WITH lapsed AS (
                SELECT d.id FROM dispatch_tasks d
                JOIN provider_accounts a ON a.tenant_id = d.tenant_id AND a.id = d.provider_account_id AND a.provider <> 'gateway'
                WHERE d.tenant_id = \(tenantID) AND d.state = 'pending' AND d.attempts > 0 AND d.lease_until < now()
                FOR UPDATE OF d SKIP LOCKED
            ), settled AS (
                UPDATE dispatch_tasks d SET state = 'done', lease_until = NULL, updated_at = now(),
                    last_error = \("outcome_unknown: " + Self.lapsedDescription)
                FROM lapsed WHERE d.tenant_id = \(tenantID) AND d.id = lapsed.id
                RETURNING d.id, d.provider_account_id
            ), attempts AS (
                UPDATE send_attempts s SET outcome = 'unknown', code = 'outcome_unknown', description = \(Self.lapsedDescription), completed_at = now()
                FROM settled WHERE s.tenant_id = \(tenantID) AND s.task_id = settled.id AND s.outcome = 'calling'
                RETURNING s.recipient_id
            ), locked AS (
                -- In the one lock order, as every writer of recipients takes them.
                SELECT r.id FROM message_recipients r JOIN attempts ON r.id = attempts.recipient_id
                WHERE r.tenant_id = \(tenantID) AND status_rank(r.status) < status_rank('unknown')
                ORDER BY r.id FOR UPDATE OF r
            ), recipients AS (
                UPDATE message_recipients r SET status = 'unknown', status_code = 'outcome_unknown', status_description = \(Self.lapsedDescription),
                    status_at = now(), updated_at = now()
                FROM locked WHERE r.tenant_id = \(tenantID) AND r.id = locked.id
            )
            SELECT id, provider_account_id FROM settled
            """
        ).rows
        guard !settled.isEmpty else { return }
        let keys = try settled.map { row in
            StatusAttachment.Key(accountID: try row.decode("provider_account_id"), providerMessageID: AttemptTag.of(try row.decode("id")))
        }
        try await RecipientStatus.attachAndApply(tenantID: tenantID, keys: keys, session: session)
    }

    /// The message's template values and the account's mapping of its template, from the claim's row.
    static func readTemplate(_ row: PGRow, into task: inout DispatchTask) throws {
        if let text: String = try row.decode("template_values"),
            case .object(let members)? = try? JSONReader.parse(Array(text.utf8), duplicates: .refuseDiffering)
        {
            var values: [String: String] = [:]
            for member in members {
                if case .string(let value) = member.value { values[member.key] = value }
            }
            task.values = values
        }
        if let text: String = try row.decode("mapping"),
            let value = try? JSONReader.parse(Array(text.utf8), duplicates: .refuseDiffering),
            case .success(let mapping) = TemplateMapping.read(value, provider: task.provider)
        {
            task.mapping = mapping
        }
    }

    /// Inserts one `calling` attempt per recipient of the claimed tasks that call providers without an
    /// idempotency key. A recipient that already has a live attempt (the unique index) is left out of
    /// its task; a task left with nobody is done. Gateway tasks pass through.
    static func begin(_ tasks: [DispatchTask], tenantID: UUID, session: PGSession) async throws -> [DispatchTask] {
        let calling = tasks.filter { $0.provider != .gateway }
        guard !calling.isEmpty else { return tasks }
        var recipients: [UUID] = []
        var messages: [UUID] = []
        var taskIDs: [UUID] = []
        var accounts: [UUID] = []
        var steps: [Int] = []
        for task in calling {
            for id in task.recipientIDs {
                recipients.append(id)
                messages.append(task.messageID)
                taskIDs.append(task.id)
                accounts.append(task.accountID)
                steps.append(task.step)
            }
        }
        let inserted = Set(
            try await session.query(
                """
                INSERT INTO send_attempts (tenant_id, recipient_id, message_id, task_id, provider_account_id, step)
                SELECT \(tenantID), x.recipient_id, x.message_id, x.task_id, x.account_id, x.step
                FROM unnest(\(recipients)::uuid[], \(messages)::uuid[], \(taskIDs)::uuid[], \(accounts)::uuid[], \(steps)::int[])
                     AS x(recipient_id, message_id, task_id, account_id, step)
                ON CONFLICT (tenant_id, recipient_id) WHERE outcome <> 'refused_account' DO NOTHING
                RETURNING recipient_id
                """
            ).rows.map { try $0.decode("recipient_id", as: UUID.self) }
        )
        var kept: [DispatchTask] = []
        var emptied: [UUID] = []
        for var task in tasks {
            if task.provider != .gateway, task.recipientIDs.contains(where: { !inserted.contains($0) }) {
                let pairs = zip(task.recipientIDs, task.numbers).filter { inserted.contains($0.0) }
                task.recipientIDs = pairs.map(\.0)
                task.numbers = pairs.map(\.1)
                if task.recipientIDs.isEmpty {
                    emptied.append(task.id)
                    continue
                }
            }
            kept.append(task)
        }
        if !emptied.isEmpty {
            try await session.query(
                """
                UPDATE dispatch_tasks SET state = 'done', lease_until = NULL, updated_at = now(),
                    last_error = 'every recipient already had a live attempt'
                WHERE tenant_id = \(tenantID) AND id = ANY(\(emptied))
                """
            )
        }
        return kept
    }

    /// A number the provider refused because it opted out or is blacklisted (SUBMAIL's 253 and 114)
    /// joins the tenant's list, as such a report does.
    static func listOptOuts(_ task: DispatchTask, outcomes: [NumberOutcome], session: PGSession) async throws {
        var additions: [OptOutWrites.Addition] = []
        for (number, outcome) in zip(task.numbers, outcomes) {
            guard case .refusedForNumber(let refusal) = outcome,
                let kind = OptOutCodes.kind(provider: task.provider, code: refusal.code)
            else { continue }
            let cause = OptOutCause(source: .report, providerAccountID: task.accountID, code: refusal.code)
            additions.append(.init(number: number, scope: .all, cause: cause, blacklisting: kind == .blacklist))
        }
        try await OptOutWrites.add(additions, tenantID: task.tenantID, session: session)
    }

    /// Writes what the provider said of each number: the attempts, and each recipient moved by
    /// `AttemptVerdict` (submitted, failed, unknown, or queued again on the route's next account).
    static func record(_ task: DispatchTask, outcomes: [NumberOutcome], session: PGSession) async throws {
        let tenantID = task.tenantID
        var attempt = (ids: [UUID](), outcome: [String](), providerID: [String?](), code: [String?](), description: [String?]())
        var submitted: [UUID] = []
        var failed = (ids: [UUID](), code: [String](), description: [String?]())
        var unknown = (ids: [UUID](), description: [String]())
        var next = (ids: [UUID](), account: [UUID]())
        // In the one lock order (`UUID.precedes`), as every writer of recipients takes them: the
        // expiry sweep and report ingestion may hold some of these rows.
        let ordered = task.recipientIDs.enumerated().map { index, id in
            (id, index < outcomes.count ? outcomes[index] : NumberOutcome.unknown(reason: "the provider's answer did not cover this number"))
        }.sorted { UUID.precedes($0.0, $1.0) }
        for (id, outcome) in ordered {
            attempt.ids.append(id)
            switch outcome {
            case .accepted(let providerID, _):
                attempt.outcome.append("accepted")
                attempt.providerID.append(providerID)
                attempt.code.append(nil)
                attempt.description.append(nil)
            case .refusedForAccount(let refusal), .refusedForNumber(let refusal):
                if case .refusedForAccount = outcome { attempt.outcome.append("refused_account") } else { attempt.outcome.append("refused_number") }
                attempt.providerID.append(nil)
                attempt.code.append(refusal.code)
                attempt.description.append(refusal.message)
            case .unknown(let reason):
                attempt.outcome.append("unknown")
                attempt.providerID.append(nil)
                attempt.code.append("outcome_unknown")
                attempt.description.append(reason)
            }
            switch AttemptVerdict.after(outcome, step: task.step, of: task.stepCount) {
            case .accepted: submitted.append(id)
            case .next(let step):
                next.ids.append(id)
                next.account.append(task.route[step])
            case .failed(let refusal):
                failed.ids.append(id)
                failed.code.append(refusal.code)
                failed.description.append(refusal.message)
            case .unknown(let reason):
                unknown.ids.append(id)
                unknown.description.append(reason)
            }
        }
        try await session.query(
            """
            UPDATE send_attempts s SET outcome = x.outcome, provider_message_id = x.provider_id, code = x.code, description = x.description,
                completed_at = now()
            FROM unnest(\(attempt.ids)::uuid[], \(attempt.outcome)::text[], \(PGArray(attempt.providerID))::text[], \(PGArray(attempt.code))::text[],
                        \(PGArray(attempt.description))::text[]) AS x(recipient_id, outcome, provider_id, code, description)
            WHERE s.tenant_id = \(tenantID) AND s.task_id = \(task.id) AND s.recipient_id = x.recipient_id AND s.outcome = 'calling'
            """
        )
        if !submitted.isEmpty {
            try await session.query(
                """
                UPDATE message_recipients SET status = 'submitted', status_at = now(), submitted_at = coalesce(submitted_at, now()), updated_at = now()
                WHERE tenant_id = \(tenantID) AND id = ANY(\(submitted)) AND status_rank(status) < status_rank('submitted')
                """
            )
        }
        if !failed.ids.isEmpty {
            try await session.query(
                """
                UPDATE message_recipients r SET status = 'failed', status_code = x.code, status_description = x.description,
                    status_at = now(), completed_at = now(), updated_at = now()
                FROM unnest(\(failed.ids)::uuid[], \(failed.code)::text[], \(PGArray(failed.description))::text[]) AS x(id, code, description)
                WHERE r.tenant_id = \(tenantID) AND r.id = x.id AND status_rank(r.status) < status_rank('failed')
                """
            )
        }
        try await self.listOptOuts(task, outcomes: outcomes, session: session)
        if !unknown.ids.isEmpty {
            try await session.query(
                """
                UPDATE message_recipients r SET status = 'unknown', status_code = 'outcome_unknown', status_description = x.description,
                    status_at = now(), updated_at = now()
                FROM unnest(\(unknown.ids)::uuid[], \(unknown.description)::text[]) AS x(id, description)
                WHERE r.tenant_id = \(tenantID) AND r.id = x.id AND status_rank(r.status) < status_rank('unknown')
                """
            )
        }
        if !next.ids.isEmpty {
            // Queued again, unplanned, on the next account: the planner gives it a new task and tag.
            try await session.query(
                """
                UPDATE message_recipients r SET provider_account_id = x.account_id, provider_message_id = NULL, updated_at = now()
                FROM unnest(\(next.ids)::uuid[], \(next.account)::uuid[]) AS x(id, account_id)
                WHERE r.tenant_id = \(tenantID) AND r.id = x.id AND r.status = 'queued'
                """
            )
        }
        // Reports that beat this commit are waiting under the call's tag: apply them now.
        try await RecipientStatus.attachAndApply(
            tenantID: tenantID,
            keys: [StatusAttachment.Key(accountID: task.accountID, providerMessageID: AttemptTag.reportKey(task: task.id, provider: task.provider))],
            session: session
        )
    }
}
