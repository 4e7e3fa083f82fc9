import AsyncHTTPClient
import Foundation
import HTTPTypes
import Logging
import NIOCore
import NIOPosix
import Postgres
import SmsHubDomain
import SmsHubSimulator
import TestSupport
import Testing

@testable import SmsHubApp
@testable import SmsHubRepository

/// Webhook endpoints, the outbox, and deliveries to the simulator's receiver over HTTP (issue 19).
@Suite(.tags(.slow), .timeLimit(.minutes(10))) struct WebhookTests {
    static func deliverer(
        _ app: AppHarness,
        timeout: Duration = TestTimeouts.outboundCall,
        jitter: Double = 0,
        clock: WallClock = .system,
        metrics: ServiceMetrics = ServiceMetrics()
    ) -> WebhookDeliverer {
        var deliverer = WebhookDeliverer(
            repository: PostgresWebhookDeliveryRepository(database: Database(pool: app.pool)),
            client: WebhookClient(egress: testEgress, timeout: timeout, connectionsPerEndpoint: 4),
            keyring: testKeyring,
            metrics: metrics,
            logger: Logger(label: "test.webhooks"),
            jitter: { jitter }
        )
        deliverer.clock = clock
        return deliverer
    }

    /// One pass of a fresh deliverer, its connections closed after.
    static func deliver(_ app: AppHarness, timeout: Duration = TestTimeouts.outboundCall, clock: WallClock = .system) async throws -> Int {
        let deliverer = Self.deliverer(app, timeout: timeout, clock: clock)
        do {
            let delivered = try await deliverer.runOnce()
            await deliverer.client.shutdown()
            return delivered
        } catch {
            await deliverer.client.shutdown()
            throw error
        }
    }

    /// Creates an endpoint at the simulator's receiver `name`, which then checks signatures with its secret.
    static func endpoint(
        _ setup: DispatcherTests.Setup,
        _ name: String,
        types: String = #"["*"]"#,
        key: String? = nil
    ) async throws -> (
        id: String, secret: String
    ) {
        let created = try await setup.app.request(
            .post,
            "/v1/webhook-endpoints",
            bearer: key ?? setup.account.key,
            json: #"{"url":"\#(setup.base)/sim/webhooks/\#(name)","description":"test","event_types":\#(types)}"#
        )
        #expect(created.status == .created, "\(created.text)")
        let secret = try #require(created.json["secret"] as? String)
        await setup.webhooks.configure(name, secrets: [try #require(WebhookSecret(secret))], behaviour: nil)
        return (try #require(created.json["id"] as? String), secret)
    }

    /// A test ping to the endpoint, delivered once; returns the delivery's id.
    static func pingOnce(_ setup: DispatcherTests.Setup, _ endpointID: String) async throws -> String {
        let test = try await setup.app.request(.post, "/v1/webhook-endpoints/\(endpointID)/test", bearer: setup.account.key)
        #expect(test.status == .accepted)
        let deliveryID = try #require(test.json["id"] as? String)
        #expect(try await Self.deliver(setup.app) == 1)
        return deliveryID
    }

    static func delivery(_ setup: DispatcherTests.Setup, _ endpointID: String, _ deliveryID: String) async throws -> AppHarness.Reply {
        try await setup.app.request(.get, "/v1/webhook-endpoints/\(endpointID)/deliveries/\(deliveryID)", bearer: setup.account.key)
    }

    @Test func endpointsAreCreatedReadChangedAndValidated() async throws {
        try await DispatcherTests().withSetup { setup in
            let key = setup.account.key
            let (id, secret) = try await Self.endpoint(setup, "crud", types: #"["message.status_changed","message.reply_received"]"#)
            #expect(secret.hasPrefix("whsec_") && WebhookSecret(secret) != nil)
            let read = try await setup.app.request(.get, "/v1/webhook-endpoints/\(id)", bearer: key)
            #expect(read.status == .ok)
            #expect(read.json["secret"] == nil, "the secret is shown once")
            #expect(read.json["event_types"] as? [String] == ["message.status_changed", "message.reply_received"])
            #expect(read.json["enabled"] as? Bool == true)
            #expect(!read.text.contains(secret))
            let stored = try await setup.app.rows("SELECT encode(secrets, 'escape') AS s FROM webhook_endpoints")
            #expect(!(stored[0]["s"]!!).contains(String(secret.dropFirst(6))), "sealed at rest")

            let patched = try await setup.app.request(
                .patch,
                "/v1/webhook-endpoints/\(id)",
                bearer: key,
                json: #"{"event_types":["*"],"enabled":false,"description":"paused"}"#
            )
            #expect(patched.status == .ok, "\(patched.text)")
            #expect(patched.json["enabled"] as? Bool == false && patched.json["description"] as? String == "paused")
            let list = try await setup.app.request(.get, "/v1/webhook-endpoints", bearer: key)
            #expect((list.json["items"] as? [[String: Any]])?.count == 1)

            // Bad input: a clear problem, and nothing changes.
            let refused: [(String, String)] = [
                (#"{"url":"http://169.254.169.254/latest"}"#, "url"),
                (#"{"url":"\#(setup.base)/hook?token=1"}"#, "url"),
                (#"{"url":"ftp://example.com/x"}"#, "url"),
                (#"{"url":"\#(setup.base)/x","event_types":["message.sent"]}"#, "event_types[0]"),
                (#"{"url":"\#(setup.base)/x","event_types":[]}"#, "event_types"),
                (#"{"url":"\#(setup.base)/x","description":"\#(String(repeating: "d", count: 501))"}"#, "description"),
            ]
            for (body, field) in refused {
                let reply = try await setup.app.request(.post, "/v1/webhook-endpoints", bearer: key, json: body)
                expectProblem(reply, .unprocessableContent, code: "validation_failed")
                let fields = (reply.json["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String } ?? []
                #expect(fields.contains(field), "\(body) → \(fields)")
            }
            for body in [#"{"url":5}"#, #"{"url":"\#(setup.base)/x","enabled":"yes"}"#, #"{"url":"#, "[]"] {
                expectProblem(try await setup.app.request(.post, "/v1/webhook-endpoints", bearer: key, json: body), .badRequest, code: "invalid_body")
            }
            expectProblem(
                try await setup.app.request(.patch, "/v1/webhook-endpoints/\(id)", bearer: key, json: #"{"url":"http://10.0.0.1/x"}"#),
                .unprocessableContent,
                code: "validation_failed"
            )
            #expect(try await setup.app.count("webhook_endpoints") == 1)
            #expect(try await setup.app.rows("SELECT url FROM webhook_endpoints")[0]["url"] == "\(setup.base)/sim/webhooks/crud")

            // Another tenant sees none of it.
            let other = try await setup.app.makeAccount("huawei")
            expectProblem(try await setup.app.request(.get, "/v1/webhook-endpoints/\(id)", bearer: other.key), .notFound, code: "not_found")
            expectProblem(
                try await setup.app.request(.post, "/v1/webhook-endpoints/\(id)/test", bearer: other.key),
                .notFound,
                code: "not_found"
            )
            let theirs = try await setup.app.request(.get, "/v1/webhook-endpoints", bearer: other.key)
            #expect((theirs.json["items"] as? [[String: Any]])?.isEmpty == true)

            // A bound on endpoints per tenant.
            for n in 1..<WebhookEndpointRules.maxEndpointsPerTenant { _ = try await Self.endpoint(setup, "crud\(n)") }
            expectProblem(
                try await setup.app.request(.post, "/v1/webhook-endpoints", bearer: key, json: #"{"url":"\#(setup.base)/x"}"#),
                .conflict,
                code: "too_many_endpoints"
            )
        }
    }

    /// A send through the simulator: each of its recipients' changes reaches the receiver, signed,
    /// with the old and new state, the message and its client reference.
    @Test func statusChangesArriveSignedWithTheirContext() async throws {
        try await DispatcherTests().withSetup { setup in
            let (endpointID, _) = try await Self.endpoint(setup, "acme")
            let sent = try await setup.app.request(
                .post,
                "/v1/messages",
                bearer: setup.account.key,
                json: #"{"recipients":["13512349830","13612349836"],"content":"【Acme】hi","client_reference":"order-7"}"#
            )
            #expect(sent.status == .accepted)
            let messageID = try #require(sent.json["id"] as? String)
            try await setup.dispatcher().runOnce()
            _ = try await DispatcherTests().poller(setup).runOnce()
            // Four moves, and the MBBLACK number joining the opt-out list (a blacklisting, listed by default).
            #expect(try await Self.deliver(setup.app) == 5)

            let summary = await setup.webhooks.summary("acme")
            #expect(summary.total == 5 && summary.verified == 5 && summary.unique == 5)
            var moves: [String: [String]] = [:]
            var optedOut: [String] = []
            for received in summary.recent {
                let object = try #require(try JSONSerialization.jsonObject(with: Data(received.body.utf8)) as? [String: Any])
                if object["type"] as? String == "recipient.opted_out" {
                    let data = try #require(object["data"] as? [String: Any])
                    optedOut.append("\(data["number"] as? String ?? "?") \(data["code"] as? String ?? "?")")
                    continue
                }
                #expect(object["type"] as? String == "message.status_changed")
                #expect(object["timestamp"] as? String != nil)
                let data = try #require(object["data"] as? [String: Any])
                #expect(data["message_id"] as? String == messageID)
                #expect(data["client_reference"] as? String == "order-7")
                let number = try #require(data["number"] as? String)
                moves[number, default: []].append("\(data["previous_status"] as? String ?? "?")→\(data["status"] as? String ?? "?")")
                if data["status"] as? String == "failed" { #expect(data["status_code"] as? String == "MBBLACK") }
            }
            #expect(moves["+8613512349830"]?.sorted() == ["queued→submitted", "submitted→delivered"])
            #expect(moves["+8613612349836"]?.sorted() == ["queued→submitted", "submitted→failed"])
            #expect(optedOut == ["+8613612349836 MBBLACK"])

            let deliveries = try await setup.app.request(.get, "/v1/webhook-endpoints/\(endpointID)/deliveries", bearer: setup.account.key)
            let items = try #require(deliveries.json["items"] as? [[String: Any]])
            #expect(items.count == 5)
            #expect(
                items.allSatisfy {
                    $0["state"] as? String == "delivered" && ($0["attempt_log"] as? [[String: Any]])?.first?["status_code"] as? Int == 204
                }
            )
            #expect(Set(items.compactMap { $0["webhook_id"] as? String }) == Set(summary.recent.map(\.id)))
            #expect(try await Self.deliver(setup.app) == 0, "nothing is delivered twice")
        }
    }

    /// A failing endpoint: the attempt is recorded with its status and excerpt, retried on the
    /// schedule under the same webhook-id, and delivered once the endpoint answers. The deliverer's
    /// clock is the test's: the retry is due when the clock says, however long the test takes.
    @Test func failedAttemptsAreRetriedOnScheduleUnderTheSameID() async throws {
        try await DispatcherTests().withSetup { setup in
            let (endpointID, _) = try await Self.endpoint(setup, "flaky")
            await setup.webhooks.configure("flaky", secrets: nil, behaviour: .init(status: 503))
            let test = try await setup.app.request(.post, "/v1/webhook-endpoints/\(endpointID)/test", bearer: setup.account.key)
            #expect(test.status == .accepted)
            let deliveryID = try #require(test.json["id"] as? String)
            // Started after the delivery was written, so it is due at once.
            let clock = ManualClock()
            #expect(try await Self.deliver(setup.app, clock: clock.wallClock) == 1)
            var delivery = try await Self.delivery(setup, endpointID, deliveryID)
            #expect(delivery.json["state"] as? String == "pending")
            #expect(delivery.json["attempts"] as? Int == 1)
            #expect(delivery.json["last_status"] as? Int == 503)
            let wait = try await setup.app.rows(
                """
                SELECT round(extract(epoch FROM d.next_attempt_at - a.attempted_at))::int AS s
                FROM webhook_deliveries d JOIN webhook_attempts a ON a.delivery_id = d.id
                """
            )
            #expect(wait[0]["s"] == "5", "the second attempt waits 5 s (no jitter here)")
            #expect(try await Self.deliver(setup.app, clock: clock.wallClock) == 0, "not due yet")
            clock.advance(by: .milliseconds(4_999))
            #expect(try await Self.deliver(setup.app, clock: clock.wallClock) == 0, "not due a millisecond before")

            await setup.webhooks.configure("flaky", secrets: nil, behaviour: .init(status: 200))
            clock.advance(by: .milliseconds(2))
            #expect(try await Self.deliver(setup.app, clock: clock.wallClock) == 1, "due once 5 s have passed")
            delivery = try await Self.delivery(setup, endpointID, deliveryID)
            #expect(delivery.json["state"] as? String == "delivered")
            let log = try #require(delivery.json["attempt_log"] as? [[String: Any]])
            #expect(log.map { $0["status_code"] as? Int } == [200, 503])
            let summary = await setup.webhooks.summary("flaky")
            #expect(summary.total == 2 && summary.unique == 1 && summary.verified == 2)
            #expect(summary.recent.allSatisfy { $0.type == "webhook.test" })

            // A manual retry sends it once more, under the same id.
            let retried = try await setup.app.request(
                .post,
                "/v1/webhook-endpoints/\(endpointID)/deliveries/\(deliveryID)/retry",
                bearer: setup.account.key
            )
            #expect(retried.status == .accepted && retried.json["state"] as? String == "pending")
            #expect(try await Self.deliver(setup.app) == 1)
            #expect(await setup.webhooks.summary("flaky").unique == 1)
        }
    }

    /// Only an excerpt of an answer is read, and an answer too long to read is cut off: its status
    /// still counts, whether a success or not. The receiver is on loopback, which only the operator's
    /// allow list reaches: what it answers is not kept at all, only its status (a public endpoint's
    /// excerpt is what the attempt window read, checked here directly).
    @Test func longAnswersAreCutToAnExcerpt() async throws {
        try await DispatcherTests().withSetup { setup in
            for (name, status, bytes, state) in [
                ("wordy", 200, 3000, "delivered"), ("flood", 200, 200_000, "delivered"), ("angry", 500, 200_000, "pending"),
            ] {
                let (endpointID, _) = try await Self.endpoint(setup, name)
                await setup.webhooks.configure(name, secrets: nil, behaviour: .init(status: status, bodyBytes: bytes))
                let deliveryID = try await Self.pingOnce(setup, endpointID)
                let delivery = try await Self.delivery(setup, endpointID, deliveryID)
                #expect(delivery.json["state"] as? String == state, "\(name)")
                let log = try #require(delivery.json["attempt_log"] as? [[String: Any]])
                #expect(log.count == 1 && log[0]["status_code"] as? Int == status, "\(name)")
                #expect(log.first?["response_excerpt"] == nil, "a non-public address's answer is not kept: \(name)")

                let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton.next())
                let sent = await WebhookAttemptWindow.send(
                    1,
                    with: client,
                    to: "\(setup.base)/sim/webhooks/\(name)",
                    timeout: TimeAmount(TestTimeouts.outboundCall),
                    window: 1,
                    clock: .system
                ) { _, _ in (Array("{}".utf8), []) }
                try await client.shutdown()
                #expect(sent.first?.attempt.statusCode == status, "\(name)")
                #expect(sent.first?.attempt.responseExcerpt == String(repeating: "x", count: 1024), "\(name)")
            }
        }
    }

    @Test func theScheduleIsSvixsWithJitter() {
        let expected: [Int64] = [5, 300, 1_800, 7_200, 18_000, 36_000, 36_000]
        for (index, seconds) in expected.enumerated() {
            #expect(WebhookRetrySchedule.wait(afterAttempts: index + 1, jitter: 0) == .seconds(seconds))
            #expect(WebhookRetrySchedule.wait(afterAttempts: index + 1, jitter: 1) == .milliseconds(seconds * 1200))
            #expect(WebhookRetrySchedule.wait(afterAttempts: index + 1, jitter: -1) == .milliseconds(seconds * 800))
        }
        #expect(WebhookRetrySchedule.wait(afterAttempts: 8, jitter: 0) == nil)
        #expect(WebhookRetrySchedule.wait(afterAttempts: 0, jitter: 0) == nil)
        #expect(WebhookRetrySchedule.wait(afterAttempts: 1, jitter: .nan) == .seconds(5))
        #expect(WebhookRetrySchedule.maxAttempts == 8)
    }

    /// During a rotation both secrets sign, so a receiver holding either verifies.
    @Test func aRotatedSecretKeepsSigningDuringTheOverlap() async throws {
        try await DispatcherTests().withSetup { setup in
            let (endpointID, old) = try await Self.endpoint(setup, "rotating")
            let rotated = try await setup.app.request(.post, "/v1/webhook-endpoints/\(endpointID)/secret/rotate", bearer: setup.account.key)
            #expect(rotated.status == .ok)
            let new = try #require(rotated.json["secret"] as? String)
            #expect(new != old && rotated.json["previous_secret_valid_until"] != nil)
            _ = try await setup.app.request(.post, "/v1/webhook-endpoints/\(endpointID)/test", bearer: setup.account.key)
            _ = try await Self.deliver(setup.app)
            #expect(await setup.webhooks.summary("rotating").verified == 1, "checked with the old secret")
            await setup.webhooks.configure("rotating", secrets: [try #require(WebhookSecret(new))], behaviour: nil)
            _ = try await setup.app.request(.post, "/v1/webhook-endpoints/\(endpointID)/test", bearer: setup.account.key)
            _ = try await Self.deliver(setup.app)
            let summary = await setup.webhooks.summary("rotating")
            #expect(summary.verified == 2, "checked with the new secret")
            // After the overlap only the new secret signs.
            _ = try await setup.app.rows("UPDATE webhook_endpoints SET previous_secret_until = now() - interval '1 second' RETURNING id")
            await setup.webhooks.configure("rotating", secrets: [try #require(WebhookSecret(old))], behaviour: nil)
            _ = try await setup.app.request(.post, "/v1/webhook-endpoints/\(endpointID)/test", bearer: setup.account.key)
            _ = try await Self.deliver(setup.app)
            #expect(await setup.webhooks.summary("rotating").verified == 2, "the old secret no longer verifies")
        }
    }

    /// The endpoint's stored secrets, opened as the deliverer opens them.
    static func storedSecrets(_ setup: DispatcherTests.Setup, _ endpointID: String) async throws -> WebhookSigningSecrets {
        let id = try #require(UUID(uuidString: endpointID))
        let sealed = try #require(
            try await PostgresWebhookEndpointRepository(database: Database(pool: setup.app.pool)).sealedSecrets(
                tenantID: setup.account.tenantID,
                id: id
            )
        )
        return try testKeyring.open(sealed, tenantID: setup.account.tenantID, endpointID: id)
    }

    /// Two rotations at the same moment are applied one after the other: the endpoint ends with one
    /// caller's secret current and the other's previous, so both callers' secrets verify (five rounds).
    @Test func concurrentRotationsKeepBothCallersSecrets() async throws {
        try await DispatcherTests().withSetup { setup in
            let (endpointID, _) = try await Self.endpoint(setup, "twice")
            for round in 0..<5 {
                let path = "/v1/webhook-endpoints/\(endpointID)/secret/rotate"
                async let first = setup.app.request(.post, path, bearer: setup.account.key)
                async let second = setup.app.request(.post, path, bearer: setup.account.key)
                let replies = try await [first, second]
                #expect(replies.allSatisfy { $0.status == .ok }, "round \(round)")
                let given = Set(replies.compactMap { $0.json["secret"] as? String })
                #expect(given.count == 2)
                let stored = try await Self.storedSecrets(setup, endpointID)
                #expect(Set([stored.current.text, stored.previous?.text].compactMap { $0 }) == given, "round \(round)")
            }
        }
    }

    /// A leaked secret is revoked at once: the rotation keeps no previous secret, and deliveries are
    /// signed with the new one only.
    @Test func aRotationCanRevokeThePreviousSecretAtOnce() async throws {
        try await DispatcherTests().withSetup { setup in
            let (endpointID, old) = try await Self.endpoint(setup, "revoked")
            let rotated = try await setup.app.request(
                .post,
                "/v1/webhook-endpoints/\(endpointID)/secret/rotate",
                bearer: setup.account.key,
                json: #"{"revoke_previous":true}"#
            )
            #expect(rotated.status == .ok, "\(rotated.text)")
            let new = try #require(rotated.json["secret"] as? String)
            let stored = try await Self.storedSecrets(setup, endpointID)
            #expect(stored.current.text == new && stored.previous == nil)
            await setup.webhooks.configure("revoked", secrets: [try #require(WebhookSecret(old))], behaviour: nil)
            _ = try await setup.app.request(.post, "/v1/webhook-endpoints/\(endpointID)/test", bearer: setup.account.key)
            _ = try await Self.deliver(setup.app)
            #expect(await setup.webhooks.summary("revoked").verified == 0, "the revoked secret signs nothing")
            let bad = try await setup.app.request(
                .post,
                "/v1/webhook-endpoints/\(endpointID)/secret/rotate",
                bearer: setup.account.key,
                json: #"{"revoke_previous":"yes"}"#
            )
            #expect(bad.status == .badRequest)
        }
    }

    /// An endpoint that has failed every attempt for days is disabled, and says why; enabling it
    /// again clears that.
    @Test func anEndpointFailingForDaysIsDisabled() async throws {
        try await DispatcherTests().withSetup { setup in
            let (endpointID, _) = try await Self.endpoint(setup, "dead")
            await setup.webhooks.configure("dead", secrets: nil, behaviour: .init(status: 500))
            _ = try await setup.app.request(.post, "/v1/webhook-endpoints/\(endpointID)/test", bearer: setup.account.key)
            _ = try await Self.deliver(setup.app)
            #expect(try await setup.app.rows("SELECT enabled::text AS e FROM webhook_endpoints")[0]["e"] == "true")
            _ = try await setup.app.rows("UPDATE webhook_endpoints SET failing_since = now() - interval '6 days' RETURNING id")
            _ = try await setup.app.rows("UPDATE webhook_deliveries SET next_attempt_at = now() RETURNING id")
            _ = try await Self.deliver(setup.app)
            let endpoint = try await setup.app.request(.get, "/v1/webhook-endpoints/\(endpointID)", bearer: setup.account.key)
            #expect(endpoint.json["enabled"] as? Bool == false)
            #expect((endpoint.json["disabled_reason"] as? String)?.hasPrefix("every delivery since") == true)
            // Disabled: nothing more is sent, and no new deliveries are made for it.
            _ = try await setup.app.rows("UPDATE webhook_deliveries SET next_attempt_at = now() RETURNING id")
            #expect(try await Self.deliver(setup.app) == 0)
            let enabled = try await setup.app.request(
                .patch,
                "/v1/webhook-endpoints/\(endpointID)",
                bearer: setup.account.key,
                json: #"{"enabled":true}"#
            )
            #expect(enabled.json["enabled"] as? Bool == true && enabled.json["disabled_reason"] == nil && enabled.json["failing_since"] == nil)
        }
    }

    /// An endpoint the tenant disables while its last failing attempt is in flight was disabled by
    /// the tenant, not by the hub: no reason is written over its own choice, the hub's counter of
    /// endpoints it disabled stays at zero, and nothing is logged as the hub's disabling.
    @Test func onlyTheHubsOwnDisablingCountsAsOne() async throws {
        try await DispatcherTests().withSetup { setup in
            let (endpointID, _) = try await Self.endpoint(setup, "leaving")
            await setup.webhooks.configure("leaving", secrets: nil, behaviour: .init(status: 500, delay: .seconds(2)))
            _ = try await setup.app.request(.post, "/v1/webhook-endpoints/\(endpointID)/test", bearer: setup.account.key)
            _ = try await setup.app.rows("UPDATE webhook_endpoints SET failing_since = now() - interval '6 days' RETURNING id")
            let metrics = ServiceMetrics()
            let deliverer = Self.deliverer(setup.app, metrics: metrics)
            let pass = Task { [deliverer] in try await deliverer.runOnce() }
            #expect(try await eventually { await setup.webhooks.summary("leaving").total == 1 }, "the attempt is in flight")
            let disabled = try await setup.app.request(
                .patch,
                "/v1/webhook-endpoints/\(endpointID)",
                bearer: setup.account.key,
                json: #"{"enabled":false}"#
            )
            #expect(disabled.status == .ok)
            _ = try await pass.value
            await deliverer.client.shutdown()
            let endpoint = try await setup.app.request(.get, "/v1/webhook-endpoints/\(endpointID)", bearer: setup.account.key)
            #expect(endpoint.json["enabled"] as? Bool == false)
            #expect(endpoint.json["disabled_reason"] == nil, "the tenant's own choice keeps no reason of the hub's")
            #expect(metrics.exposition().contains("smshub_webhook_endpoints_disabled_total 0"))
        }
    }

    /// Every documented metric is exported from the start, so an alert on its rate has something to read.
    @Test func documentedMetricsAreExportedFromTheStart() {
        let exposition = ServiceMetrics().exposition()
        for series in [
            "smshub_webhook_endpoints_disabled_total 0", "smshub_dispatch_stale_outcomes_total 0", "smshub_outbound_circuit_opened_total 0",
            "smshub_outbound_accounts_paused 0", #"smshub_webhook_attempts_total{outcome="gave_up"} 0"#,
            #"smshub_callbacks_total{provider="engagelab",outcome="rejected"} 0"#, #"smshub_outbound_calls_total{kind="send",outcome="timeout"} 0"#,
            "smshub_ingest_batch_size_count 0",
        ] {
            #expect(exposition.contains(series), "\(series)")
        }
    }

    /// Replay re-sends past events under their own ids; a tenant's other endpoint is not involved.
    /// A disabled tenant's webhooks wait (a retry to a victim's URL included) and resume on enable.
    @Test func aDisabledTenantsDeliveriesWaitAndResumeOnEnable() async throws {
        try await DispatcherTests().withSetup { setup in
            let (endpointID, _) = try await Self.endpoint(setup, "paused")
            let tenant = setup.account.tenantID.uuidString.lowercased()
            #expect(try await setup.app.request(.post, "/v1/webhook-endpoints/\(endpointID)/test", bearer: setup.account.key).status == .accepted)
            #expect(try await setup.app.admin(.post, "/admin/tenants/\(tenant)/disable").status == .ok)
            #expect(try await Self.deliver(setup.app) == 0, "nothing goes out while the tenant is disabled")
            #expect(await setup.webhooks.summary("paused").total == 0)
            #expect(try await setup.app.admin(.post, "/admin/tenants/\(tenant)/enable").status == .ok)
            #expect(try await Self.deliver(setup.app) == 1)
            #expect(await setup.webhooks.summary("paused").total == 1)
        }
    }

    @Test func replaySendsPastEventsAgainUnderTheirIDs() async throws {
        try await DispatcherTests().withSetup { setup in
            let (endpointID, _) = try await Self.endpoint(setup, "replayed", types: #"["message.status_changed"]"#)
            let start = RFC3339.format(Date().addingTimeInterval(-60))
            _ = try await setup.send(["13512349830"])
            try await setup.dispatcher().runOnce()
            #expect(try await Self.deliver(setup.app) == 1)
            let first = await setup.webhooks.ids("replayed")
            let replay = try await setup.app.request(
                .post,
                "/v1/webhook-endpoints/\(endpointID)/replay",
                bearer: setup.account.key,
                json: #"{"since":"\#(start)"}"#
            )
            #expect(replay.status == .accepted, "\(replay.text)")
            #expect(replay.json["enqueued"] as? Int == 1 && replay.json["continue_from"] == nil)
            #expect(try await Self.deliver(setup.app) == 1)
            let summary = await setup.webhooks.summary("replayed")
            let ids = await setup.webhooks.ids("replayed")
            #expect(summary.total == 2 && ids == first)
            for body in [#"{"since":"yesterday"}"#, #"{"since":"\#(start)","until":"2000-01-01T00:00:00Z"}"#, #"{}"#] {
                let refused = try await setup.app.request(.post, "/v1/webhook-endpoints/\(endpointID)/replay", bearer: setup.account.key, json: body)
                #expect([400, 422].contains(Int(refused.status.code)), "\(body)")
            }
        }
    }

    /// One tenant's endpoint that hangs holds only its own worker: another tenant's deliveries go
    /// out meanwhile, before the hanging ones reach their deadline. The deadline leaves the other
    /// tenant's deliveries seconds even on a slow machine; the endpoint hangs for longer than the pass.
    @Test func aHangingEndpointDelaysOnlyItsOwnDeliveries() async throws {
        try await DispatcherTests().withSetup { setup in
            let (slowID, _) = try await Self.endpoint(setup, "slow")
            await setup.webhooks.configure("slow", secrets: nil, behaviour: .init(status: 204, delay: .seconds(12)))
            let other = try await setup.app.makeAccount("huawei")
            let (fastID, _) = try await Self.endpoint(setup, "fast", key: other.key)
            for _ in 0..<8 {
                _ = try await setup.app.request(.post, "/v1/webhook-endpoints/\(slowID)/test", bearer: setup.account.key)
                _ = try await setup.app.request(.post, "/v1/webhook-endpoints/\(fastID)/test", bearer: other.key)
            }
            let started = ContinuousClock.now
            _ = try await Self.deliver(setup.app, timeout: .seconds(5))
            let elapsed = ContinuousClock.now - started
            let rows = try await setup.app.rows(
                """
                SELECT d.endpoint_id::text AS endpoint, d.state, a.attempted_at + make_interval(secs => a.latency_ms / 1000.0) AS finished
                FROM webhook_deliveries d JOIN webhook_attempts a ON a.delivery_id = d.id ORDER BY finished
                """
            )
            let fast = rows.filter { $0["endpoint"] == fastID }
            let slow = rows.filter { $0["endpoint"] == slowID }
            #expect(fast.count == 8 && fast.allSatisfy { $0["state"] == "delivered" })
            #expect(slow.count == 8 && slow.allSatisfy { $0["state"] == "pending" })
            // Every fast delivery finished before the first slow attempt gave up.
            #expect(rows.prefix(8).allSatisfy { $0["endpoint"] == fastID }, "\(rows)")
            #expect(elapsed < .seconds(12), "bounded by the deadline, not the endpoint: \(elapsed)")
        }
    }

    /// The outbox is written with the change: a change rolled back leaves no event behind.
    @Test func aRolledBackChangeLeavesNoEvent() async throws {
        try await DispatcherTests().withSetup { setup in
            _ = try await Self.endpoint(setup, "outbox")
            _ = try await setup.send(["13512349830"])
            do {
                try await setup.app.pool.withTransaction { session in
                    try await session.query("SELECT set_config('smshub.tenant_id', \(setup.account.tenantID.uuidString), true)")
                    try await session.query("UPDATE message_recipients SET status = 'failed'")
                    #expect(try await session.query("SELECT count(*) AS n FROM webhook_events").first?.decode("n", as: Int.self) == 1)
                    throw CancellationError()
                }
            } catch is CancellationError {}
            #expect(try await setup.app.count("webhook_events") == 0)
            #expect(try await setup.app.count("webhook_deliveries") == 0)
        }
    }
}

extension WebhookTests {
    /// Replies and balances through the simulator's pulls: a reply linked to its message, and a balance
    /// below the account's threshold once per crossing.
    @Test func repliesAndLowBalancesArrive() async throws {
        try await DispatcherTests().withSetup { setup in
            _ = try await Self.endpoint(setup, "events", types: #"["message.reply_received","balance.below_threshold"]"#)
            let account = "/v1/provider-accounts/\(setup.account.accountID.apiString)"
            let patched = try await setup.app.request(
                .patch,
                account,
                bearer: setup.account.key,
                json: #"{"settings":{"balance_alert_below":"2000000.5"}}"#
            )
            #expect(patched.status == .ok, "\(patched.text)")
            let message = try await setup.send(["13512349830"])
            try await setup.dispatcher().runOnce()
            _ = await setup.simulator.addReply(account: "acme", mobile: "13512349830", content: "好的", extNo: nil)
            _ = try await DispatcherTests().poller(setup).runOnce()
            _ = try await DispatcherTests().poller(setup).runOnce()
            #expect(try await Self.deliver(setup.app) == 2, "one reply, one crossing (the second balance poll is still below)")
            let types = await setup.webhooks.summary("events").recent.compactMap(\.type).sorted()
            #expect(types == ["balance.below_threshold", "message.reply_received"])
            let reply = try #require(await setup.webhooks.summary("events").recent.first { $0.type == "message.reply_received" })
            let data = try #require((try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any])?["data"] as? [String: Any])
            #expect(data["message_id"] as? String == message["id"] as? String)
            #expect(data["content"] as? String == "好的")
            for threshold in ["-1", "1e5", "12.1234567", "abc", ""] {
                let refused = try await setup.app.request(
                    .patch,
                    account,
                    bearer: setup.account.key,
                    json: #"{"settings":{"balance_alert_below":"\#(threshold)"}}"#
                )
                if threshold.isEmpty { continue }  // an empty string removes a setting
                expectProblem(refused, .unprocessableContent, code: "validation_failed")
            }
        }
    }
}

extension WebhookTests {
    /// A URL checked when saved is checked again at every delivery: one that now points where the
    /// egress policy forbids gets no request, and the attempt says why.
    @Test func aDeliveryToAForbiddenAddressIsNotMade() async throws {
        try await DispatcherTests().withSetup { setup in
            let (endpointID, _) = try await Self.endpoint(setup, "moved")
            _ = try await setup.app.rows("UPDATE webhook_endpoints SET url = 'http://169.254.169.254/latest/meta-data' RETURNING id")
            _ = try await setup.app.request(.post, "/v1/webhook-endpoints/\(endpointID)/test", bearer: setup.account.key)
            #expect(try await Self.deliver(setup.app) == 1)
            let delivery = try await setup.app.request(.get, "/v1/webhook-endpoints/\(endpointID)/deliveries", bearer: setup.account.key)
            let item = try #require((delivery.json["items"] as? [[String: Any]])?.first)
            #expect(item["state"] as? String == "pending")
            #expect((item["last_error"] as? String)?.hasPrefix("egress_refused") == true)
            #expect(await setup.webhooks.summary("moved").total == 0)
        }
    }
}
