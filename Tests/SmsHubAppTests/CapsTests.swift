import Foundation
import SmsHubDomain
import Testing

/// What one tenant can make the hub keep: provider accounts per tenant, deliveries queued by a
/// replay (never twice for one event), attempts read per delivery.
@Suite struct CapsTests {
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
        }
    }
}
