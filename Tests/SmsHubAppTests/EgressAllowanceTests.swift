import Foundation
import Hummingbird
import Logging
import SmsHubDomain
import SmsHubSimulator
import TestSupport
import Testing

@testable import SmsHubApp
@testable import SmsHubRepository

/// Private addresses per tenant and per provider account, set by an administrator, where the
/// operator's `SMSHUB_EGRESS_ALLOW` would open them to every tenant; and nothing a non-public address
/// answers is kept beyond its status and timing.
@Suite(.tags(.slow), .timeLimit(.minutes(10))) struct EgressAllowanceTests {
    /// Only public addresses, plain HTTP allowed: loopback is reachable only where allowed.
    static let strict = EgressPolicy(allowed: [], allowPlainHTTP: true)

    func withSimulator(_ body: @Sendable (String, WebhookReceiver) async throws -> Void) async throws {
        let webhooks = WebhookReceiver()
        let simulator = GatewaySimulator(accounts: [(name: "acme", password: "123456", balance: 1_000)])
        try await withLiveSimulator(simulator, webhooks: webhooks) { base in try await body(base, webhooks) }
    }

    @Test func theAdminAPIAllowsBlocksAndRefusesBadOnes() async throws {
        try await withApp(egress: Self.strict) { app in
            let (tenantID, _) = try await app.makeTenant()
            let path = "/admin/tenants/\(tenantID)/egress"
            let set = try await app.admin(.put, path, json: #"{"allow":["127.0.0.1/32","fd00:1::/64"]}"#)
            #expect(set.status == .ok, "\(set.text)")
            #expect(try await app.admin(.get, path).json["allow"] as? [String] == ["127.0.0.1/32", "fd00:1::/64"])
            let tooMany = "[" + (0..<17).map { "\"10.0.\($0).0/24\"" }.joined(separator: ",") + "]"
            for bad in [#"{"allow":"10.0.0.0/8"}"#, #"{"allow":\#(tooMany)}"#, "{}"] {
                let refused = try await app.admin(.put, path, json: bad)
                #expect(refused.status == .badRequest && refused.contentType == "application/problem+json", "\(bad)")
            }
            for bad in [#"{"allow":["10.0.0.0/33"]}"#, #"{"allow":["example.com"]}"#] {
                expectProblem(try await app.admin(.put, path, json: bad), .unprocessableContent, code: "validation_failed")
            }
            #expect(try await app.admin(.get, path).json["allow"] as? [String] == ["127.0.0.1/32", "fd00:1::/64"], "refused bodies change nothing")
            let unknown = UUID().uuidString.lowercased()
            expectProblem(try await app.admin(.put, "/admin/tenants/\(unknown)/egress", json: #"{"allow":[]}"#), .notFound, code: "not_found")
            expectProblem(try await app.admin(.get, "/admin/tenants/\(unknown)/egress"), .notFound, code: "not_found")
            expectProblem(
                try await app.admin(.put, "/admin/tenants/\(tenantID)/provider-accounts/\(unknown)/egress", json: #"{"allow":[]}"#),
                .notFound,
                code: "not_found"
            )
        }
    }

    /// A block allowed for one tenant is that tenant's: another tenant cannot point a webhook endpoint
    /// or a gateway into it. What the private endpoint answers is not kept.
    @Test func aTenantsBlockServesThatTenantOnly() async throws {
        try await self.withSimulator { base, webhooks in
            try await withApp(egress: Self.strict) { app in
                let (allowedID, allowed) = try await app.makeTenant("Allowed")
                let (_, other) = try await app.makeTenant("Other")
                #expect(try await app.admin(.put, "/admin/tenants/\(allowedID)/egress", json: #"{"allow":["127.0.0.1/32"]}"#).status == .ok)
                let hook = #"{"url":"\#(base)/sim/webhooks/private","description":"private"}"#
                let refused = try await app.request(.post, "/v1/webhook-endpoints", bearer: other, json: hook)
                #expect(refused.status == .unprocessableContent, "\(refused.text)")
                let created = try await app.request(.post, "/v1/webhook-endpoints", bearer: allowed, json: hook)
                #expect(created.status == .created, "\(created.text)")
                let endpointID = try #require(created.json["id"] as? String)
                let secret = try #require(created.json["secret"] as? String)
                await webhooks.configure("private", secrets: [try #require(WebhookSecret(secret))], behaviour: .init(status: 500, bodyBytes: 200))
                _ = try await app.request(.post, "/v1/webhook-endpoints/\(endpointID)/test", bearer: allowed)
                let deliverer = WebhookDeliverer(
                    repository: PostgresWebhookDeliveryRepository(database: Database(pool: app.pool)),
                    client: WebhookClient(
                        egress: Self.strict,
                        allowances: EgressAllowanceCache(repository: PostgresEgressAllowanceRepository(database: Database(pool: app.pool))),
                        timeout: TestTimeouts.outboundCall,
                        connectionsPerEndpoint: 2
                    ),
                    keyring: testKeyring,
                    metrics: ServiceMetrics(),
                    logger: Logger(label: "test.webhooks")
                )
                _ = try await deliverer.runOnce()
                await deliverer.client.shutdown()
                #expect(await webhooks.summary("private").total == 1, "the allowed tenant's endpoint was called")
                let deliveries = try await app.request(.get, "/v1/webhook-endpoints/\(endpointID)/deliveries", bearer: allowed)
                let attempt = try #require(((deliveries.json["items"] as? [[String: Any]])?.first?["attempt_log"] as? [[String: Any]])?.first)
                #expect(attempt["status_code"] as? Int == 500)
                #expect(attempt["response_excerpt"] == nil, "what a private address answers is not kept")
                let stored = try await app.rows("SELECT count(*)::text AS n FROM webhook_attempts WHERE response_excerpt IS NOT NULL")
                #expect(stored[0]["n"] == "0")
            }
        }
    }

    /// A block allowed for one provider account serves that account's calls, not the tenant's others.
    @Test func anAccountsBlockServesThatAccountOnly() async throws {
        try await self.withSimulator { base, _ in
            try await withApp(egress: Self.strict) { app in
                let (tenantID, key) = try await app.makeTenant()
                let placeholder = ["base_url": "https://93.184.216.34", "account": "acme"]
                let first = try await app.makeAccount(
                    "gateway",
                    settings: placeholder,
                    credentials: ["api_password": "123456"],
                    tenant: (tenantID, key)
                )
                let second = try await app.makeAccount(
                    "gateway",
                    settings: placeholder,
                    credentials: ["api_password": "123456"],
                    tenant: (tenantID, key)
                )
                let privateURL = #"{"settings":{"base_url":"\#(base)","account":"acme"}}"#
                let path = { (account: CallbackAccount) in "/v1/provider-accounts/\(account.accountID.uuidString.lowercased())" }
                #expect(try await app.request(.patch, path(first), bearer: key, json: privateURL).status == .unprocessableContent)
                let allow = try await app.admin(
                    .put,
                    "/admin/tenants/\(tenantID)/provider-accounts/\(first.accountID.uuidString.lowercased())/egress",
                    json: #"{"allow":["127.0.0.1"]}"#
                )
                #expect(allow.status == .ok, "\(allow.text)")
                #expect(try await app.request(.patch, path(first), bearer: key, json: privateURL).status == .ok)
                #expect(try await app.request(.patch, path(second), bearer: key, json: privateURL).status == .unprocessableContent)

                let client = GatewayClient(
                    egress: Self.strict,
                    allowances: EgressAllowanceCache(repository: PostgresEgressAllowanceRepository(database: Database(pool: app.pool))),
                    timeout: TestTimeouts.outboundCall
                )
                let credentials = GatewayAPI.Credentials(account: "acme", password: "123456")
                let envelope = try await client.call(
                    baseURL: base,
                    tenantID: first.tenantID,
                    accountID: first.accountID,
                    .balance,
                    credentials: credentials
                )
                #expect(envelope.isSuccess)
                await #expect(throws: GatewayClient.Failure.egress(.forbiddenAddress)) {
                    try await client.call(baseURL: base, tenantID: second.tenantID, accountID: second.accountID, .balance, credentials: credentials)
                }
            }
        }
    }
}
