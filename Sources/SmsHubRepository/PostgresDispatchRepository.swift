import Foundation
import Postgres
import SmsHubDomain

public struct PostgresDispatchRepository: DispatchRepository {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    public func tenantsWithWork() async throws -> [UUID] {
        try await self.database.pool.query("SELECT t AS tenant_id FROM tenants_with_dispatch_work() AS t").rows.map { try $0.decode("tenant_id") }
    }

    public func plan(tenantID: UUID, maxPerTask: Int, limit: Int) async throws -> Int {
        try await self.database.withTenant(tenantID) { session in
            // SKIP LOCKED: two planners never take the same recipients.
            let rows = try await session.query(
                """
                SELECT id, message_id, provider_account_id FROM message_recipients
                WHERE tenant_id = \(tenantID) AND status = 'queued' AND provider_message_id IS NULL
                ORDER BY created_at, position, id LIMIT \(limit)
                FOR UPDATE SKIP LOCKED
                """
            ).rows
            var groups: [(key: [UUID], ids: [UUID])] = []
            for row in rows {
                let key: [UUID] = [try row.decode("message_id"), try row.decode("provider_account_id")]
                let id: UUID = try row.decode("id")
                if let index = groups.lastIndex(where: { $0.key == key }) { groups[index].ids.append(id) } else { groups.append((key, [id])) }
            }
            var made = 0
            for group in groups {
                for chunk in stride(from: 0, to: group.ids.count, by: maxPerTask).map({ Array(group.ids[$0..<min($0 + maxPerTask, group.ids.count)]) }) {
                    let taskID = UUID()
                    try await session.query(
                        """
                        INSERT INTO dispatch_tasks (tenant_id, id, message_id, provider_account_id, recipient_ids)
                        VALUES (\(tenantID), \(taskID), \(group.key[0]), \(group.key[1]), \(chunk))
                        """
                    )
                    try await session.query(
                        """
                        UPDATE message_recipients SET provider_message_id = \(taskID.uuidString.lowercased()), updated_at = now()
                        WHERE tenant_id = \(tenantID) AND id = ANY(\(chunk))
                        """
                    )
                    made += 1
                }
            }
            return made
        }
    }

    public func claim(tenantID: UUID, limit: Int, lease: Duration) async throws -> [DispatchTask] {
        try await self.database.withTenant(tenantID) { session in
            let claimed = try await session.query(
                """
                UPDATE dispatch_tasks d SET lease_until = now() + make_interval(secs => \(Double(lease.components.seconds))),
                    attempts = attempts + 1, updated_at = now()
                FROM (
                    SELECT id FROM dispatch_tasks
                    WHERE tenant_id = \(tenantID) AND state = 'pending' AND next_attempt_at <= now()
                      AND (lease_until IS NULL OR lease_until < now())
                      -- A disabled account sends nothing: its tasks wait, and go out once it is enabled.
                      AND EXISTS (SELECT 1 FROM provider_accounts a
                                  WHERE a.tenant_id = dispatch_tasks.tenant_id AND a.id = dispatch_tasks.provider_account_id
                                    AND a.status = 'active')
                    ORDER BY next_attempt_at LIMIT \(limit)
                    FOR UPDATE SKIP LOCKED
                ) due
                WHERE d.tenant_id = \(tenantID) AND d.id = due.id
                RETURNING d.id, d.message_id, d.provider_account_id, d.recipient_ids, d.attempts
                """
            ).rows
            var tasks: [DispatchTask] = []
            for row in claimed {
                let id: UUID = try row.decode("id")
                let messageID: UUID = try row.decode("message_id")
                let recipientIDs: [UUID] = try row.decode("recipient_ids")
                let message = try await session.query(
                    "SELECT content, ext_no FROM messages WHERE tenant_id = \(tenantID) AND id = \(messageID)"
                ).first!
                let numbers = try await session.query(
                    """
                    SELECT number_e164 FROM message_recipients r
                    JOIN unnest(\(recipientIDs)::uuid[]) WITH ORDINALITY AS want(id, n) ON want.id = r.id
                    WHERE r.tenant_id = \(tenantID) ORDER BY want.n
                    """
                ).rows.map { try $0.decode("number_e164", as: String.self) }
                tasks.append(DispatchTask(
                    tenantID: tenantID, id: id, messageID: messageID, accountID: try row.decode("provider_account_id"),
                    recipientIDs: recipientIDs, attempts: try row.decode("attempts"),
                    // The gateway is Chinese: mainland numbers go as the 11-digit national number.
                    mobiles: numbers.map { $0.hasPrefix("+86") ? String($0.dropFirst(3)) : $0 },
                    content: try message.decode("content"), extNo: try message.decode("ext_no")
                ))
            }
            return tasks
        }
    }

    public func complete(_ task: DispatchTask, outcome: DispatchOutcome) async throws {
        try await self.database.withTenant(task.tenantID) { session in
            switch outcome {
            case .accepted:
                try await session.query(
                    "UPDATE dispatch_tasks SET state = 'done', lease_until = NULL, last_error = NULL, updated_at = now() WHERE tenant_id = \(task.tenantID) AND id = \(task.id)"
                )
                try await session.query(
                    """
                    UPDATE message_recipients SET status = 'submitted', status_at = now(), submitted_at = coalesce(submitted_at, now()), updated_at = now()
                    WHERE tenant_id = \(task.tenantID) AND id = ANY(\(task.recipientIDs)) AND status_rank(status) < status_rank('submitted')
                    """
                )
                // Reports that beat this commit are waiting under the task id: apply them now.
                try await RecipientStatus.attachAndApply(
                    tenantID: task.tenantID,
                    keys: [StatusAttachment.Key(accountID: task.accountID, providerMessageID: task.id.uuidString.lowercased())],
                    session: session
                )
            case .refused(let code, let message):
                try await self.fail(task, code: code, description: message, session: session)
            case .gaveUp(let reason):
                try await self.fail(task, code: "dispatch_failed", description: reason, session: session)
            case .retry(let reason, let retryAt):
                try await session.query(
                    """
                    UPDATE dispatch_tasks SET lease_until = NULL, next_attempt_at = \(retryAt), last_error = \(reason), updated_at = now()
                    WHERE tenant_id = \(task.tenantID) AND id = \(task.id)
                    """
                )
            }
        }
    }

    private func fail(_ task: DispatchTask, code: String, description: String, session: PGSession) async throws {
        try await session.query(
            """
            UPDATE dispatch_tasks SET state = 'failed', lease_until = NULL, last_error = \(code + ": " + description), updated_at = now()
            WHERE tenant_id = \(task.tenantID) AND id = \(task.id)
            """
        )
        try await session.query(
            """
            UPDATE message_recipients SET status = 'failed', status_code = \(code), status_description = \(description),
                status_at = now(), completed_at = now(), updated_at = now()
            WHERE tenant_id = \(task.tenantID) AND id = ANY(\(task.recipientIDs)) AND status_rank(status) < status_rank('failed')
            """
        )
    }
}
