import Cryptography
package import Foundation
import Postgres
package import SmsHubDomain

package struct PostgresDispatchRepository: DispatchRepository {
    let database: Database

    package init(database: Database) {
        self.database = database
    }

    package func tenantsWithWork() async throws -> [UUID] {
        try await self.database.lookupAcrossTenants("SELECT t AS tenant_id FROM tenants_with_dispatch_work() AS t").rows.map {
            try $0.decode("tenant_id")
        }
    }

    package func plan(tenantID: UUID, maxPerTask: Int, limit: Int) async throws -> Int {
        try await self.database.withTenant(tenantID) { session in
            // SKIP LOCKED: two planners never take the same recipients.
            let rows = try await session.query(
                """
                SELECT r.id, r.message_id, r.provider_account_id, a.provider FROM message_recipients r
                JOIN provider_accounts a ON a.tenant_id = r.tenant_id AND a.id = r.provider_account_id
                WHERE r.tenant_id = \(tenantID) AND r.status = 'queued' AND r.provider_message_id IS NULL
                ORDER BY r.created_at, r.position, r.id LIMIT \(limit)
                FOR UPDATE OF r SKIP LOCKED
                """
            ).rows
            let stopped = try await Self.stopOptedOut(try rows.map { try $0.decode("id", as: UUID.self) }, tenantID: tenantID, session: session)
            var groups: [(key: [UUID], provider: Provider, ids: [UUID])] = []
            for row in rows {
                let key: [UUID] = [try row.decode("message_id"), try row.decode("provider_account_id")]
                let id: UUID = try row.decode("id")
                if stopped.contains(id) { continue }
                if let index = groups.lastIndex(where: { $0.key == key }) {
                    groups[index].ids.append(id)
                } else {
                    groups.append((key, Provider(rawValue: try row.decode("provider")) ?? .gateway, [id]))
                }
            }
            var made = 0
            for group in groups {
                for chunk in group.ids.slices(of: min(maxPerTask, group.provider.numbersPerTask)) {
                    let taskID = SecureRandom.uuid()
                    let reportKey = AttemptTag.reportKey(task: taskID, provider: group.provider)
                    // The recipients' validity window runs from the message's acceptance.
                    try await session.query(
                        """
                        INSERT INTO dispatch_tasks (tenant_id, id, message_id, provider_account_id, recipient_ids, open_until)
                        SELECT \(tenantID), \(taskID), m.id, a.id, \(chunk), m.created_at + make_interval(secs => \(fragment: Self.validitySeconds("a")))
                        FROM messages m JOIN provider_accounts a ON a.tenant_id = m.tenant_id AND a.id = \(group.key[1])
                        WHERE m.tenant_id = \(tenantID) AND m.id = \(group.key[0])
                        """
                    )
                    try await session.query(
                        """
                        UPDATE message_recipients SET provider_message_id = \(reportKey), updated_at = now()
                        WHERE tenant_id = \(tenantID) AND id = ANY(\(chunk))
                        """
                    )
                    made += 1
                }
            }
            return made
        }
    }

    /// Recipients about to be planned whose number joined the opt-out list since their message was
    /// accepted (a reply can come in between) end `failed` here, before any call. A tenant with an
    /// empty list pays one index probe for the whole batch.
    static func stopOptedOut(_ ids: [UUID], tenantID: UUID, session: PGSession) async throws -> Set<UUID> {
        guard !ids.isEmpty else { return [] }
        let rows = try await session.query(
            """
            UPDATE message_recipients r SET status = 'failed', status_code = \(OptOutStop.code), status_description = \(OptOutStop.description),
                status_at = now(), completed_at = now(), updated_at = now()
            -- Driven from the batch, one key each: as `r.id = ANY(…)`, a cached generic plan walked every
            -- queued recipient of the tenant and filtered it by the array.
            FROM unnest(\(ids)::uuid[]) AS b(id), messages m
            WHERE EXISTS (SELECT 1 FROM opt_outs WHERE tenant_id = \(tenantID))
              AND r.tenant_id = \(tenantID) AND r.id = b.id AND r.status = 'queued'
              AND m.tenant_id = \(tenantID) AND m.id = r.message_id
              AND EXISTS (\(fragment: OptOutStop.entry(tenantID: tenantID, number: "r.number_e164", category: "m.category")))
            RETURNING r.id
            """
        ).rows
        return Set(try rows.map { try $0.decode("id", as: UUID.self) })
    }

    package func claim(tenantID: UUID, limit: Int, perAccount: Int, lease: Duration, owner: UUID) async throws -> [DispatchTask] {
        try await self.database.withTenant(tenantID) { session in
            try await SendAttempts.settleLapsed(tenantID: tenantID, session: session)
            // Candidates are locked (SKIP LOCKED: never two claimers on one task), then ranked per
            // account after the leases already live, so an account never has more than `perAccount`
            // calls running, whichever instances run them.
            // One statement: the claim, and what each claimed task sends (its message and numbers).
            let rows = try await session.query(
                """
                WITH candidates AS (
                    SELECT id, provider_account_id, next_attempt_at FROM dispatch_tasks
                    WHERE tenant_id = \(tenantID) AND state = 'pending' AND next_attempt_at <= now()
                      AND (lease_until IS NULL OR lease_until < now())
                      -- A disabled account sends nothing: its tasks wait, and go out once it is enabled.
                      -- Only the Gateway's tasks are ever called twice (its taskId makes a repeat
                      -- harmless); the others' lapsed tasks were settled above.
                      AND EXISTS (SELECT 1 FROM provider_accounts a
                                  WHERE a.tenant_id = dispatch_tasks.tenant_id AND a.id = dispatch_tasks.provider_account_id
                                    AND a.status = 'active' AND (a.provider = 'gateway' OR dispatch_tasks.attempts = 0))
                      -- Nor does an account whose circuit breaker has paused it.
                      AND NOT EXISTS (SELECT 1 FROM outbound_health h
                                      WHERE h.tenant_id = dispatch_tasks.tenant_id AND h.provider_account_id = dispatch_tasks.provider_account_id
                                        AND h.paused_until > now())
                    ORDER BY next_attempt_at LIMIT \(limit)
                    FOR UPDATE SKIP LOCKED
                ), busy AS (
                    SELECT provider_account_id, count(*) AS n FROM dispatch_tasks
                    WHERE tenant_id = \(tenantID) AND state = 'pending' AND lease_until >= now()
                    GROUP BY provider_account_id
                ), ranked AS (
                    SELECT c.id, coalesce(b.n, 0) + row_number() OVER (PARTITION BY c.provider_account_id ORDER BY c.next_attempt_at, c.id) AS slot
                    FROM candidates c LEFT JOIN busy b USING (provider_account_id)
                ), claimed AS (
                    UPDATE dispatch_tasks d SET lease_until = now() + make_interval(secs => \(lease.inSeconds)),
                        lease_owner = \(owner), attempts = attempts + 1, updated_at = now()
                    FROM ranked
                    WHERE d.tenant_id = \(tenantID) AND d.id = ranked.id AND ranked.slot <= \(perAccount)
                    RETURNING d.id, d.message_id, d.provider_account_id, d.recipient_ids, d.attempts
                )
                SELECT c.id, c.message_id, c.provider_account_id, c.recipient_ids, c.attempts, m.content, m.ext_no,
                       ARRAY(SELECT r.number_e164 FROM unnest(c.recipient_ids) WITH ORDINALITY AS want(id, n)
                             JOIN message_recipients r ON r.tenant_id = \(tenantID) AND r.id = want.id
                             ORDER BY want.n) AS numbers,
                       a.provider, m.route_account_ids, m.template_values::text AS template_values,
                       (SELECT tm.mapping::text FROM template_mappings tm
                        WHERE tm.tenant_id = \(tenantID) AND tm.template_id = m.template_id AND tm.provider_account_id = c.provider_account_id) AS mapping
                FROM claimed c JOIN messages m ON m.tenant_id = \(tenantID) AND m.id = c.message_id
                JOIN provider_accounts a ON a.tenant_id = \(tenantID) AND a.id = c.provider_account_id
                """
            ).rows
            let tasks = try rows.map { row in
                var task = DispatchTask(
                    tenantID: tenantID,
                    id: try row.decode("id"),
                    messageID: try row.decode("message_id"),
                    accountID: try row.decode("provider_account_id"),
                    recipientIDs: try row.decode("recipient_ids"),
                    attempts: try row.decode("attempts"),
                    numbers: try row.decode("numbers"),
                    content: try row.decode("content"),
                    extNo: try row.decode("ext_no"),
                    leaseOwner: owner
                )
                task.provider = Provider(rawValue: try row.decode("provider")) ?? .gateway
                task.route = try row.decode("route_account_ids", as: [UUID]?.self) ?? []
                try SendAttempts.readTemplate(row, into: &task)
                return task
            }
            return try await SendAttempts.begin(tasks, tenantID: tenantID, session: session)
        }
    }

    /// `ProviderSettings.validitySeconds` of the account row `alias`, in SQL.
    static func validitySeconds(_ alias: String) -> PGQuery {
        let range = ProviderSettings.validitySecondsRange
        let setting = "\(alias).settings->>'validity_seconds'"
        let bounds = "BETWEEN \(range.lowerBound) AND \(range.upperBound)"
        return """
            coalesce(CASE WHEN \(unescaped: setting) ~ '^[0-9]{1,7}$' AND (\(unescaped: setting))::int \(unescaped: bounds)
                          THEN (\(unescaped: setting))::int END, \(unescaped: String(ProviderSettings.defaultValiditySeconds)))
            """
    }

    /// The fence: the task is still pending under the claim `task` was made with.
    static func fence(_ task: DispatchTask) -> PGQuery {
        "tenant_id = \(task.tenantID) AND id = \(task.id) AND state = 'pending' AND attempts = \(task.attempts) AND lease_owner = \(task.leaseOwner)"
    }

    package func renew(_ task: DispatchTask, lease: Duration) async throws -> Bool {
        try await self.database.withTenant(task.tenantID) { session in
            try await session.query(
                "UPDATE dispatch_tasks SET lease_until = now() + make_interval(secs => \(lease.inSeconds)) WHERE \(fragment: Self.fence(task))"
            ).affectedRows == 1
        }
    }

    package func complete(_ task: DispatchTask, outcome: DispatchOutcome) async throws -> Bool {
        try await self.database.withTenant(task.tenantID) { session in
            switch outcome {
            case .accepted(let repeatOf):
                let note = repeatOf.map { "the gateway refused the retry as a repeated task id (code \($0)): taken as accepted" }
                guard
                    try await session.query(
                        "UPDATE dispatch_tasks SET state = 'done', lease_until = NULL, last_error = \(note), updated_at = now() WHERE \(fragment: Self.fence(task))"
                    ).affectedRows == 1
                else { return false }
                try await session.query(
                    """
                    UPDATE message_recipients SET status = 'submitted', status_at = now(), submitted_at = coalesce(submitted_at, now()), updated_at = now()
                    WHERE tenant_id = \(task.tenantID) AND id = ANY(\(task.recipientIDs)) AND status_rank(status) < status_rank('submitted')
                    """
                )
                // Reports that beat this commit are waiting under the task id: apply them now.
                try await RecipientStatus.attachAndApply(
                    tenantID: task.tenantID,
                    keys: [
                        StatusAttachment.Key(accountID: task.accountID, providerMessageID: AttemptTag.reportKey(task: task.id, provider: .gateway))
                    ],
                    session: session
                )
                return true
            case .refused(let code, let message):
                return try await self.fail(task, code: code, description: message, session: session)
            case .gaveUp(let reason):
                return try await self.fail(task, code: "dispatch_failed", description: reason, session: session)
            case .numbers(let outcomes):
                guard
                    try await session.query(
                        "UPDATE dispatch_tasks SET state = 'done', lease_until = NULL, updated_at = now() WHERE \(fragment: Self.fence(task))"
                    ).affectedRows == 1
                else { return false }
                try await SendAttempts.record(task, outcomes: outcomes, session: session)
                return true
            case .retry(let reason, let retryAt):
                return try await session.query(
                    """
                    UPDATE dispatch_tasks SET lease_until = NULL, next_attempt_at = \(retryAt), last_error = \(reason), updated_at = now()
                    WHERE \(fragment: Self.fence(task))
                    """
                ).affectedRows == 1
            }
        }
    }

    private func fail(_ task: DispatchTask, code: String, description: String, session: PGSession) async throws -> Bool {
        guard
            try await session.query(
                """
                UPDATE dispatch_tasks SET state = 'failed', lease_until = NULL, last_error = \(code + ": " + description), updated_at = now()
                WHERE \(fragment: Self.fence(task))
                """
            ).affectedRows == 1
        else { return false }
        try await session.query(
            """
            UPDATE message_recipients SET status = 'failed', status_code = \(code), status_description = \(description),
                status_at = now(), completed_at = now(), updated_at = now()
            WHERE tenant_id = \(task.tenantID) AND id = ANY(\(task.recipientIDs)) AND status_rank(status) < status_rank('failed')
            """
        )
        return true
    }
}
