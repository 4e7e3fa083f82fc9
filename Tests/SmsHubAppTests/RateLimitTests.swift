import Foundation
import HTTPTypes
import SmsHubDomain
import TestSupport
import Testing

@testable import SmsHubApp

/// Limits per tenant and per client address (docs/operations.md, "Limits"): 429 with `Retry-After`
/// and the RateLimit fields, one tenant's limit leaving another's requests alone, overrides set by an
/// administrator, and refused credentials counted by address.
@Suite(.tags(.slow), .timeLimit(.minutes(10))) struct RateLimitTests {
    @Test func aTenantPastItsLimitIsRefusedAndAnotherIsNot() async throws {
        try await withApp { app in
            let (slowID, slow) = try await app.makeTenant("Slow")
            let (_, other) = try await app.makeTenant("Other")
            let set = try await app.admin(.put, "/admin/tenants/\(slowID)/rate-limits", json: #"{"api":{"per_minute":6,"burst":3},"replay":null}"#)
            #expect(set.status == .ok, "\(set.text)")
            #expect((set.json["rate_limits"] as? [String: Any])?["api"] as? [String: Int] == ["per_minute": 6, "burst": 3])

            for remaining in [2, 1, 0] {
                let reply = try await app.request(.get, "/v1/me", bearer: slow)
                #expect(reply.status == .ok)
                #expect(reply.headers[RateLimiter.policyHeader] == #""api";q=3;w=30"#)
                #expect(reply.headers[RateLimiter.stateHeader]?.hasPrefix(#""api";r=\#(remaining);t="#) == true, "\(reply.headers)")
            }
            let refused = try await app.request(.get, "/v1/me", bearer: slow)
            expectProblem(refused, .tooManyRequests, code: "rate_limited")
            #expect(refused.headers[.retryAfter] == "10")
            #expect(refused.headers[RateLimiter.stateHeader]?.hasPrefix(#""api";r=0;t="#) == true)
            #expect(try await app.request(.get, "/v1/me", bearer: other).status == .ok, "another tenant's requests are not counted")
        }
    }

    @Test func replaysRetriesAndTestSendsHaveTighterLimits() async throws {
        try await withApp { app in
            let (id, key) = try await app.makeTenant()
            _ = try await app.admin(.put, "/admin/tenants/\(id)/rate-limits", json: #"{"test":{"per_minute":1,"burst":2}}"#)
            let created = try await app.request(
                .post,
                "/v1/webhook-endpoints",
                bearer: key,
                json: #"{"url":"http://127.0.0.1:9/hook","enabled":false}"#
            )
            let endpoint = try #require(created.json["id"] as? String)
            #expect(try await app.request(.post, "/v1/webhook-endpoints/\(endpoint)/test", bearer: key).status == .accepted)
            #expect(try await app.request(.post, "/v1/webhook-endpoints/\(endpoint)/test", bearer: key).status == .accepted)
            let refused = try await app.request(.post, "/v1/webhook-endpoints/\(endpoint)/test", bearer: key)
            expectProblem(refused, .tooManyRequests, code: "rate_limited")
            #expect(refused.headers[RateLimiter.policyHeader] == #""test";q=2;w=120"#)
            #expect(try await app.count("webhook_deliveries") == 2, "a refused test send queues nothing")

            // The default replay limit: three at once.
            let replay = #"{"since":"2026-01-01T00:00:00Z"}"#
            for _ in 0..<3 {
                #expect(try await app.request(.post, "/v1/webhook-endpoints/\(endpoint)/replay", bearer: key, json: replay).status == .accepted)
            }
            expectProblem(
                try await app.request(.post, "/v1/webhook-endpoints/\(endpoint)/replay", bearer: key, json: replay),
                .tooManyRequests,
                code: "rate_limited"
            )
        }
    }

    @Test func refusedCredentialsAreCountedByAddress() async throws {
        // A minute's refill is one: nothing comes back while the test runs.
        let burst = 12
        try await withApp(rateLimits: [.unauthenticated: RateLimit(perMinute: 1, burst: burst)]) { app in
            let (_, key) = try await app.makeTenant()
            for index in 0..<burst {
                let path = ["/v1/me", "/admin/tenants", "/callbacks/huawei/\(String(repeating: "x", count: 43))/status"][index % 3]
                let reply = try await app.request(index % 3 == 2 ? .post : .get, path, bearer: "sk_wrong_\(index)")
                #expect([.unauthorized, .notFound].contains(reply.status), "\(reply.status)")
            }
            // The address has used its refusals: even a valid key waits now, before any lookup.
            let refused = try await app.request(.get, "/v1/me", bearer: key)
            expectProblem(refused, .tooManyRequests, code: "rate_limited")
            #expect(refused.headers[RateLimiter.policyHeader]?.hasPrefix(#""unauthenticated";"#) == true)
            #expect(Int(refused.headers[.retryAfter] ?? "") ?? 0 >= 1)
        }
    }

    @Test func badOverridesAreRefusedAndChangeNothing() async throws {
        try await withApp { app in
            let (id, _) = try await app.makeTenant()
            let path = "/admin/tenants/\(id)/rate-limits"
            for bad in [
                #"{"nope":{"per_minute":1,"burst":1}}"#, #"{"unauthenticated":{"per_minute":1,"burst":1}}"#,
                #"{"api":{"per_minute":0,"burst":1}}"#, #"{"api":{"per_minute":1.5,"burst":1}}"#, #"{"api":{"per_minute":"5","burst":1}}"#,
                #"{"api":{"per_minute":1}}"#, #"{"api":{"per_minute":1,"burst":100001}}"#, #"{"api":7}"#, "[]", "{",
                #"{"api":{"per_minute":1e400,"burst":1}}"#,
            ] {
                let refused = try await app.admin(.put, path, json: bad)
                #expect(refused.status == .badRequest && refused.contentType == "application/problem+json", "\(bad): \(refused.status)")
            }
            let tenant = try await app.admin(.get, "/admin/tenants/\(id)")
            #expect((tenant.json["rate_limits"] as? [String: Any])?.isEmpty == true)
            expectProblem(
                try await app.admin(.put, "/admin/tenants/\(UUID().uuidString.lowercased())/rate-limits", json: "{}"),
                .notFound,
                code: "not_found"
            )
        }
    }
}
