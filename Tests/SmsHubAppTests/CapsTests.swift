import Foundation
import HTTPTypes
import Logging
import SmsHubDomain
import TestSupport
import Testing

@testable import SmsHubApp
@testable import SmsHubRepository

/// What one tenant can make the hub keep: provider accounts per tenant, deliveries queued by a
/// replay (never twice for one event), attempts read per delivery.
@Suite(.tags(.slow), .timeLimit(.minutes(10))) struct CapsTests {
    @Test func aTenantHasAtMostItsCapOfProviderAccounts() async throws {
        try await withApp { app in
            let (tenantID, key) = try await app.makeTenant()
            for index in 0..<ProviderAccountService.maxAccountsPerTenant {
                let reply = try await app.request(.post, "/v1/provider-accounts", bearer: key, json: #"{"provider":"huawei","name":"h\#(index)"}"#)
                #expect(reply.status == .created, "\(index): \(reply.text)")
            }
            let refused = try await app.request(.post, "/v1/provider-accounts", bearer: key, json: #"{"provider":"huawei","name":"one too many"}"#)
            expectProblem(refused, .conflict, code: "too_many_accounts")
            #expect(try await app.rows("SELECT count(*)::text AS n FROM provider_accounts WHERE tenant_id = '\(tenantID)'")[0]["n"] == "100")
            let (_, other) = try await app.makeTenant("Other")
            #expect(
                try await app.request(.post, "/v1/provider-accounts", bearer: other, json: #"{"provider":"huawei","name":"h"}"#).status == .created
            )
        }
    }

    @Test func aReplayQueuesNoEventTwiceAndAListReadsTheLatestAttempts() async throws {
        try await withApp { app in
            let (tenantID, key) = try await app.makeTenant()
            let created = try await app.request(
                .post,
                "/v1/webhook-endpoints",
                bearer: key,
                json: #"{"url":"http://127.0.0.1:9/hook","enabled":false,"event_types":["*"]}"#
            )
            let endpointID = try #require(created.json["id"] as? String)
            _ = try await app.rows(
                """
                INSERT INTO webhook_events (tenant_id, type, occurred_at, data)
                SELECT '\(tenantID)', 'message.status_changed', now() - make_interval(secs => i), '{}' FROM generate_series(1, 5) i RETURNING id
                """
            )
            let replay = #"{"since":"2020-01-01T00:00:00Z"}"#
            let first = try await app.request(.post, "/v1/webhook-endpoints/\(endpointID)/replay", bearer: key, json: replay)
            #expect(first.json["enqueued"] as? Int == 5, "\(first.text)")
            let second = try await app.request(.post, "/v1/webhook-endpoints/\(endpointID)/replay", bearer: key, json: replay)
            #expect(second.json["enqueued"] as? Int == 0, "events still pending are not queued again: \(second.text)")
            #expect(try await app.count("webhook_deliveries") == 5)

            let delivery = try #require(try await app.rows("SELECT id::text AS id FROM webhook_deliveries LIMIT 1")[0]["id"] ?? nil)
            _ = try await app.rows(
                """
                INSERT INTO webhook_attempts (tenant_id, delivery_id, attempt, attempted_at, status_code, latency_ms)
                SELECT '\(tenantID)', '\(delivery)', i, now() - make_interval(secs => 100 - i), 500, 1 FROM generate_series(1, 30) i RETURNING id
                """
            )
            let shown = try await app.request(.get, "/v1/webhook-endpoints/\(endpointID)/deliveries/\(delivery)", bearer: key)
            let log = try #require(shown.json["attempt_log"] as? [[String: Any]])
            #expect(log.count == 20)
            #expect(log.first?["attempt"] as? Int == 30 && log.last?["attempt"] as? Int == 11, "the latest, newest first")

            // Retries end at the most attempts a delivery keeps.
            let retry = "/v1/webhook-endpoints/\(endpointID)/deliveries/\(delivery)/retry"
            let cap = WebhookEndpointRules.maxAttemptsPerDelivery
            _ = try await app.rows("UPDATE webhook_deliveries SET attempts = \(cap - 1) WHERE id = '\(delivery)' RETURNING id")
            #expect(try await app.request(.post, retry, bearer: key).status == .accepted)
            _ = try await app.rows("UPDATE webhook_deliveries SET attempts = \(cap), state = 'failed' WHERE id = '\(delivery)' RETURNING id")
            expectProblem(try await app.request(.post, retry, bearer: key), .conflict, code: "too_many_attempts")
            let unchanged = try await app.rows("SELECT state FROM webhook_deliveries WHERE id = '\(delivery)'")
            #expect(unchanged.first?["state"] == "failed", "a refused retry changes nothing")
            expectProblem(
                try await app.request(.post, "/v1/webhook-endpoints/\(endpointID)/deliveries/\(UUID())/retry", bearer: key),
                .notFound,
                code: "not_found"
            )
        }
    }

    /// A failing endpoint with more deliveries pending than the cap is marked backlogged: changes are
    /// still recorded as events (and reach the tenant's other endpoints), but not queued for it, and
    /// a replay is refused; once it succeeds again, changes are queued for it again.
    @Test func aFailingEndpointPastItsCapGetsNoNewChangesUntilItSucceeds() async throws {
        try await withApp { app in
            let (tenantID, key) = try await app.makeTenant()
            func endpoint(_ path: String) async throws -> String {
                let created = try await app.request(.post, "/v1/webhook-endpoints", bearer: key, json: #"{"url":"http://127.0.0.1:9/\#(path)"}"#)
                return try #require(created.json["id"] as? String)
            }
            let dead = try await endpoint("dead")
            let healthy = try await endpoint("healthy")
            let account = try await app.request(.post, "/v1/provider-accounts", bearer: key, json: #"{"provider":"huawei","name":"h"}"#)
            let accountID = try #require((account.json["account"] as? [String: Any])?["id"] as? String)
            var replies = 0
            func reply() async throws {
                replies += 1
                _ = try await app.rows(
                    """
                    INSERT INTO replies (tenant_id, provider_account_id, provider, number_raw, number_e164, content, source, dedup_key, raw)
                    VALUES ('\(tenantID)', '\(accountID)', 'huawei', '13800000001', '+8613800000001', 'R', 'push', 'r\(replies)', '{}') RETURNING id
                    """
                )
            }
            func pending(_ endpoint: String) async throws -> Int {
                let row = try await app.rows(
                    "SELECT count(*)::text AS n FROM webhook_deliveries WHERE endpoint_id = '\(endpoint)' AND state = 'pending'"
                )
                return Int((row.first?["n"] ?? nil) ?? "") ?? -1
            }
            for _ in 0..<6 { try await reply() }
            #expect(try await pending(dead) == 6)
            #expect(try await pending(healthy) == 6)

            let monitor = WebhookBacklogMonitor(
                repository: PostgresWebhookDeliveryRepository(database: Database(pool: app.pool)),
                logger: Logger(label: "test.backlog"),
                cap: 5
            )
            #expect(try await monitor.runOnce().isEmpty, "six pending, but the endpoint is not failing")
            _ = try await app.rows("UPDATE webhook_endpoints SET failing_since = now() - interval '1 hour' WHERE id = '\(dead)' RETURNING id")
            let marked = try await monitor.runOnce()
            #expect(marked.map(\.backlogged) == [true] && marked.first?.endpointID.apiString == dead)
            #expect(try await monitor.runOnce().isEmpty, "a mark is set once")
            let shown = try await app.request(.get, "/v1/webhook-endpoints/\(dead)", bearer: key)
            #expect(shown.json["backlogged_since"] is String, "\(shown.text)")

            try await reply()
            #expect(try await pending(dead) == 6, "no new change is queued for the backlogged endpoint")
            #expect(try await pending(healthy) == 7, "the others still get theirs")
            #expect(try await app.count("webhook_events") == 7, "the change is recorded, for a replay")
            let refused = try await app.request(
                .post,
                "/v1/webhook-endpoints/\(dead)/replay",
                bearer: key,
                json: #"{"since":"2020-01-01T00:00:00Z"}"#
            )
            expectProblem(refused, .conflict, code: "endpoint_backlogged")
            #expect(try await pending(dead) == 6, "a refused replay queues nothing")

            // Still failing, but down to half the cap: the mark goes.
            _ = try await app.rows(
                """
                UPDATE webhook_deliveries SET state = 'failed' WHERE id IN (
                    SELECT id FROM webhook_deliveries WHERE endpoint_id = '\(dead)' AND state = 'pending' LIMIT 4) RETURNING id
                """
            )
            #expect(try await monitor.runOnce().map(\.backlogged) == [false])
            try await reply()
            #expect(try await pending(dead) == 3, "changes are queued for it again")
        }
    }
}
