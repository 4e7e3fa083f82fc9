import Foundation
import HTTPTypes
import Logging
import SmsHubDomain
import TestSupport
import Testing

@testable import SmsHubApp
@testable import SmsHubRepository

/// Retention per tenant: contents redacted after N days, everything removed after M days, by the
/// sweep in small slices; another tenant's data and the recent data untouched; the admin API refuses
/// bad settings and changes nothing then; the tenant and the summary say how far it has got.
@Suite(.tags(.slow), .timeLimit(.minutes(10))) struct RetentionTests {
    @Test func thePauseBetweenPassesIsConfigurable() throws {
        let base = [
            "DATABASE_URL": "postgresql://x@127.0.0.1/x", "SMSHUB_ADMIN_TOKEN": String(repeating: "a", count: 32),
            "SMSHUB_MASTER_KEY": "k1:" + Data(repeating: 1, count: 32).base64EncodedString(),
        ]
        #expect(try AppConfiguration.fromEnvironment(base).retentionInterval == .seconds(60))
        #expect(try AppConfiguration.fromEnvironment(base.merging(["SMSHUB_RETENTION_INTERVAL_MS": "1000"]) { $1 }).retentionInterval == .seconds(1))
        for bad in ["0", "99", "86400001", "1.5", "x"] {
            #expect(throws: AppConfiguration.Invalid.self, "\(bad)") {
                try AppConfiguration.fromEnvironment(base.merging(["SMSHUB_RETENTION_INTERVAL_MS": bad]) { $1 })
            }
        }
    }

    @Test func oldDataIsRedactedThenRemovedAndOnlyThat() async throws {
        try await withApp { app in
            let kept = try await self.tenantWithHistory(app)
            let swept = try await self.tenantWithHistory(app)

            let path = "/admin/tenants/\(swept.account.tenantID.uuidString.lowercased())/retention"
            for bad in [
                #"{"redact_after_days":0}"#, #"{"delete_after_days":3651}"#,
                #"{"redact_after_days":1.5}"#, #"{"redact_after_days":"7"}"#, #"{"delete_after_days":99999999999999999999}"#,
                #"{"delete_after_days":1e400}"#, "[]", "{",
            ] {
                let refused = try await app.admin(.put, path, json: bad)
                #expect(refused.status == .badRequest && refused.contentType == "application/problem+json", "\(bad)")
            }
            expectProblem(
                try await app.admin(.put, path, json: #"{"redact_after_days":40,"delete_after_days":30}"#),
                .unprocessableContent,
                code: "validation_failed"
            )
            expectProblem(
                try await app.admin(.put, "/admin/tenants/\(UUID().uuidString.lowercased())/retention", json: "{}"),
                .notFound,
                code: "not_found"
            )
            let unchanged = try await app.admin(.get, "/admin/tenants/\(swept.account.tenantID.uuidString.lowercased())")
            #expect((unchanged.json["retention"] as? [String: Any])?.isEmpty == true, "refused settings change nothing")

            // 30.0 is the integer 30 in JSON; unknown members are ignored, as everywhere in the API.
            let set = try await app.admin(.put, path, json: #"{"redact_after_days":7,"delete_after_days":30.0,"note":"x"}"#)
            #expect(set.status == .ok, "\(set.text)")
            #expect((set.json["retention"] as? [String: Any])?["redact_after_days"] as? Int == 7)

            // Small slices, so every table's loop runs more than once.
            let sweeper = RetentionSweeper(
                repository: PostgresRetentionRepository(database: Database(pool: app.pool)),
                logger: Logger(label: "test.retention"),
                slice: 2,
                pause: .zero
            )
            let first = try await sweeper.runOnce()
            #expect(first.removed > 0 && first.redacted > 0)

            // The swept tenant: 40 days old gone, 10 days old redacted, today's intact.
            let old = try await app.request(.get, "/v1/messages/\(swept.messages.old)", bearer: swept.account.key)
            expectProblem(old, .notFound, code: "not_found")
            let middle = try await app.request(.get, "/v1/messages/\(swept.messages.middle)", bearer: swept.account.key)
            #expect(middle.json["content"] as? String == "" && middle.json["redacted_at"] != nil)
            #expect((middle.json["recipients"] as? [[String: Any]])?.count == 2, "redaction keeps the recipients")
            let recent = try await app.request(.get, "/v1/messages/\(swept.messages.recent)", bearer: swept.account.key)
            #expect(recent.json["content"] as? String == "【Acme】hello" && recent.json["redacted_at"] == nil)
            let replies = try await app.request(.get, "/v1/replies", bearer: swept.account.key)
            let texts = (replies.json["items"] as? [[String: Any]] ?? []).map { $0["content"] as? String ?? "?" }.sorted()
            #expect(texts == ["", "today"], "the 40-day reply removed, the 10-day one redacted")
            // A redacted message keeps no fingerprint of its content; the others keep theirs.
            let hashes = try await app.rows(
                """
                SELECT (redacted_at IS NOT NULL)::text AS redacted, (request_hash IS NULL)::text AS cleared FROM messages
                WHERE tenant_id = '\(swept.account.tenantID)'
                """
            )
            #expect(hashes.count == 2 && hashes.allSatisfy { $0["redacted"] == $0["cleared"] }, "\(hashes)")
            #expect(hashes.contains { $0["redacted"] == "true" })
            // Tallies: the 40-day ones removed, and the 10-day reply's too (named by a hash of its text).
            let sweptCounts = Counts(messages: 2, recipients: 4, tasks: 2, events: 2, replies: 2, tokens: 2, statusTallies: 2, replyTallies: 1)
            #expect(try await self.counts(app, swept.account.tenantID) == sweptCounts)
            let rawReplies = try await app.rows(
                "SELECT raw::text AS raw FROM replies WHERE tenant_id = '\(swept.account.tenantID)' AND redacted_at IS NOT NULL"
            )
            #expect(rawReplies.map { $0["raw"] ?? nil } == ["{}"], "a redacted reply keeps no text in its raw payload either")

            // The other tenant: all of it.
            let keptCounts = Counts(messages: 3, recipients: 6, tasks: 3, events: 3, replies: 3, tokens: 3, statusTallies: 3, replyTallies: 3)
            #expect(try await self.counts(app, kept.account.tenantID) == keptCounts)
            let keptOld = try await app.request(.get, "/v1/messages/\(kept.messages.old)", bearer: kept.account.key)
            #expect(keptOld.json["content"] as? String == "【Acme】hello")

            // How far it got, in the admin API, the summary and BI.
            let tenant = try await app.admin(.get, "/admin/tenants/\(swept.account.tenantID.uuidString.lowercased())")
            let retention = try #require(tenant.json["retention"] as? [String: Any])
            #expect(retention["contents_redacted_before"] != nil && retention["data_removed_before"] != nil)
            let summary = try await app.request(.get, "/v1/summary/daily?days=60", bearer: swept.account.key)
            #expect(summary.json["data_removed_before"] != nil)
            #expect(try await app.request(.get, "/v1/summary/daily", bearer: kept.account.key).json["data_removed_before"] == nil)
            let stored = try await app.rows(
                "SELECT (deleted_before < now() - interval '29 days')::text AS ok FROM tenants WHERE id = '\(swept.account.tenantID)'"
            )
            #expect(stored.first?["ok"] == "true", "removed up to the 30-day horizon (BI reads it from bi.tenant_retention)")

            // Nothing left to do.
            #expect(try await sweeper.runOnce() == RetentionSweeper.Swept())
        }
    }

    struct Counts: Equatable {
        var messages: Int
        var recipients: Int
        var tasks: Int
        var events: Int
        var replies: Int
        var tokens: Int
        var statusTallies: Int
        var replyTallies: Int
    }

    func counts(_ app: AppHarness, _ tenantID: UUID) async throws -> Counts {
        let row = try await app.rows(
            """
            SELECT (SELECT count(*) FROM messages WHERE tenant_id = '\(tenantID)') AS m,
                   (SELECT count(*) FROM message_recipients WHERE tenant_id = '\(tenantID)') AS r,
                   (SELECT count(*) FROM dispatch_tasks WHERE tenant_id = '\(tenantID)') AS t,
                   (SELECT count(*) FROM status_events WHERE tenant_id = '\(tenantID)') AS e,
                   (SELECT count(*) FROM replies WHERE tenant_id = '\(tenantID)') AS p,
                   (SELECT count(*) FROM callback_tokens WHERE tenant_id = '\(tenantID)') AS k,
                   (SELECT count(*) FROM gateway_copy_tallies WHERE tenant_id = '\(tenantID)' AND identity LIKE 's:%') AS s,
                   (SELECT count(*) FROM gateway_copy_tallies WHERE tenant_id = '\(tenantID)' AND identity LIKE 'r:%') AS y
            """
        )[0]
        func int(_ key: String) -> Int { Int((row[key] ?? nil) ?? "") ?? -1 }
        return Counts(
            messages: int("m"),
            recipients: int("r"),
            tasks: int("t"),
            events: int("e"),
            replies: int("p"),
            tokens: int("k"),
            statusTallies: int("s"),
            replyTallies: int("y")
        )
    }

    /// A tenant with three messages of two recipients each (planned into dispatch tasks), a status
    /// event and a reply for each, made 40 days ago, 10 days ago and now.
    func tenantWithHistory(_ app: AppHarness) async throws -> (account: CallbackAccount, messages: (old: String, middle: String, recent: String)) {
        let account = try await SendMessageTests().gatewayAccount(app)
        var ids: [String] = []
        for (age, suffix) in [(40, "1"), (10, "2"), (0, "3")] {
            let sent = try await SendMessageTests().send(
                app,
                account,
                #"{"recipients":["1380000000\#(suffix)","1390000000\#(suffix)"],"content":"【Acme】hello"}"#
            )
            let id = try #require(sent.json["id"] as? String)
            ids.append(id)
            _ = try await PostgresDispatchRepository(database: Database(pool: app.pool)).plan(
                tenantID: account.tenantID,
                maxPerTask: 3000,
                limit: 100
            )
            let reply = age == 0 ? "today" : "\(age) days ago"
            for statement in [
                "UPDATE messages SET created_at = now() - interval '\(age) days' WHERE id = '\(id)'",
                "UPDATE message_recipients SET created_at = now() - interval '\(age) days' WHERE message_id = '\(id)'",
                """
                INSERT INTO status_events (tenant_id, provider_account_id, provider, provider_message_id, state, received_at, source, dedup_key, raw)
                VALUES ('\(account.tenantID)', '\(account.accountID)', 'gateway', 'task-\(suffix)', 'delivered', now() - interval '\(age) days',
                        'push', 'k\(suffix)', '{}')
                """,
                """
                INSERT INTO replies (tenant_id, provider_account_id, provider, number_raw, number_e164, content, received_at, source, dedup_key, raw)
                VALUES ('\(account.tenantID)', '\(account.accountID)', 'gateway', '1380000000\(suffix)', '+861380000000\(suffix)', '\(reply)',
                        now() - interval '\(age) days', 'push', 'r\(suffix)', '{"content": "\(reply)"}')
                """,
                """
                INSERT INTO callback_tokens (tenant_id, provider_account_id, token_digest, fingerprint, received_at)
                VALUES ('\(account.tenantID)', '\(account.accountID)', sha256('t\(suffix)'), sha256('f'), now() - interval '\(age) days')
                """,
                """
                INSERT INTO gateway_copy_tallies (tenant_id, provider_account_id, identity, pushed_numbers, created_at)
                VALUES ('\(account.tenantID)', '\(account.accountID)', 's:task-\(suffix):138****000\(suffix):DELIVRD:', '{+861380000000\(suffix)}',
                        now() - interval '\(age) days'),
                       ('\(account.tenantID)', '\(account.accountID)', 'r:138****000\(suffix)::' || md5('\(reply)'), '{}', now() - interval '\(age) days')
                """,
            ] {
                _ = try await app.rows(statement)
            }
        }
        return (account, (ids[0], ids[1], ids[2]))
    }
}
