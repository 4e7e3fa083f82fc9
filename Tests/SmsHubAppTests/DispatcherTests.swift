import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import SmsHubDomain
import SmsHubSimulator
import TestSupport
import Testing

@testable import SmsHubApp
@testable import SmsHubRepository

/// send → dispatch, end to end: the API, PostgreSQL, the dispatcher and the simulator over HTTP.
@Suite(.tags(.slow), .timeLimit(.minutes(10))) struct DispatcherTests {
    struct Setup {
        var app: AppHarness
        var simulator: GatewaySimulator
        var account: CallbackAccount
        /// The simulator's base URL.
        var base: String
        /// The simulator's webhook receivers (`/sim/webhooks/{name}`).
        var webhooks: WebhookReceiver

        func dispatcher(maxAttempts: Int = 5, timeout: Duration = TestTimeouts.outboundCall) -> Dispatcher {
            Dispatcher(
                repository: PostgresDispatchRepository(database: Database(pool: self.app.pool)),
                accounts: PostgresProviderAccountRepository(database: Database(pool: self.app.pool)),
                caller: self.app.caller(timeout: timeout),
                keyring: testKeyring,
                logger: Logger(label: "test.dispatch"),
                maxAttempts: maxAttempts
            )
        }

        func send(_ recipients: [String], content: String = "【Acme】hello") async throws -> [String: Any] {
            let list = recipients.map { "\"\($0)\"" }.joined(separator: ",")
            let reply = try await self.app.request(
                .post,
                "/v1/messages",
                bearer: self.account.key,
                json: #"{"recipients":[\#(list)],"content":"\#(content)"}"#
            )
            #expect(reply.status == .accepted)
            return reply.json
        }

        /// Points the simulator's status and reply pushes at this app's callback URLs (a rotation shows
        /// them again), on its real port. Returns the URLs' paths.
        func pushToThisApp() async throws -> (status: String, replies: String) {
            let port = try #require(self.app.client.port)
            let rotated = try await self.app.request(
                .post,
                "/v1/provider-accounts/\(self.account.accountID.uuidString.lowercased())/callback-token/rotate",
                bearer: self.account.key
            )
            let urls = try #require(rotated.json["callback_urls"] as? [String: String])
            let path = { (url: String) in String(url.dropFirst("https://hub.example.test".count)) }
            let (status, replies) = (path(try #require(urls["status"])), path(try #require(urls["replies"])))
            await self.simulator.setPushURLs(
                account: "acme",
                status: "http://127.0.0.1:\(port)\(status)",
                replies: "http://127.0.0.1:\(port)\(replies)"
            )
            return (status, replies)
        }

        /// Makes every pending task due now, instead of waiting out its backoff.
        func makeRetriesDue() async throws {
            _ = try await self.app.rows(
                "UPDATE dispatch_tasks SET next_attempt_at = now() - interval '1 second' WHERE state = 'pending' RETURNING id"
            )
        }
    }

    func withSetup(_ body: @Sendable (Setup) async throws -> Void) async throws {
        let simulator = GatewaySimulator(accounts: [(name: "acme", password: "123456", balance: 1_000_000)])
        let webhooks = WebhookReceiver()
        try await withLiveSimulator(simulator, webhooks: webhooks) { base in
            try await withApp { app in
                let account = try await app.makeAccount(
                    "gateway",
                    settings: ["base_url": base, "account": "acme"],
                    credentials: ["api_password": "123456"]
                )
                _ = try await app.request(
                    .patch,
                    "/v1/provider-accounts/\(account.accountID.uuidString.lowercased())",
                    bearer: account.key,
                    json: #"{"is_default":true}"#
                )
                try await body(Setup(app: app, simulator: simulator, account: account, base: base, webhooks: webhooks))
            }
        }
    }

    @Test func aLargeMessageIsSplitIntoTasksOf3000AndSubmitted() async throws {
        try await withSetup { setup in
            let numbers = (0..<7000).map { String(format: "138%08d", $0) }
            _ = try await setup.send(numbers)
            #expect(try await setup.dispatcher().runOnce() == 3)
            let tasks = await setup.simulator.allTasks()
            #expect(tasks.map(\.mobiles.count).sorted() == [1000, 3000, 3000])
            #expect(Set(tasks.flatMap(\.mobiles)) == Set(numbers))
            #expect(tasks.allSatisfy { $0.sendCalls == 1 && $0.content == "【Acme】hello" })
            let states = try await setup.app.rows(
                "SELECT status, count(*) AS n, count(DISTINCT provider_message_id) AS tasks FROM message_recipients GROUP BY status"
            )
            #expect(states.count == 1)
            #expect(states[0]["status"] == "submitted")
            #expect(states[0]["n"] == "7000")
            #expect(states[0]["tasks"] == "3")
            // Nothing left to do.
            #expect(try await setup.dispatcher().runOnce() == 0)

            // One pull hands out every report of the 7,000 at once; they are stored a slice at a time
            // (GatewayPoller.storeSlice), each attached to its recipient.
            try await self.poller(setup).runOnce()
            let stored = try await setup.app.rows(
                """
                SELECT count(*) AS n, count(recipient_id) AS attached,
                       (SELECT count(*) FROM message_recipients WHERE status <> 'submitted') AS moved
                FROM status_events WHERE source = 'pull'
                """
            )
            let reports = Int((stored[0]["n"] ?? nil) ?? "") ?? 0
            #expect(reports > 2 * GatewayPoller.storeSlice, "more than two slices: \(reports)")
            #expect(stored[0]["attached"] == stored[0]["n"] && stored[0]["moved"] == stored[0]["n"])
        }
    }

    @Test func transportFailuresRetryWithTheSameTaskID() async throws {
        try await withSetup { setup in
            _ = try await setup.send(["13812345670", "13812345671"])
            await setup.simulator.injectSendFaults([.httpStatus(500), .hang(seconds: 4)])
            let dispatcher = setup.dispatcher()
            try await dispatcher.runOnce()  // 500
            var task = try await setup.app.rows("SELECT id, state, attempts, last_error FROM dispatch_tasks")[0]
            #expect(task["state"] == "pending")
            #expect(task["attempts"] == "1")
            #expect(task["last_error"]??.contains("500") == true)
            try await setup.makeRetriesDue()
            // Hangs past a short deadline: the gateway recorded it, we did not hear back.
            try await setup.dispatcher(timeout: .seconds(1)).runOnce()
            try await setup.makeRetriesDue()
            try await dispatcher.runOnce()  // answered
            task = try await setup.app.rows("SELECT id, state, attempts FROM dispatch_tasks")[0]
            #expect(task["state"] == "done")
            #expect(task["attempts"] == "3")
            let tasks = await setup.simulator.allTasks()
            #expect(tasks.count == 1, "every attempt used the same task id")
            #expect(tasks[0].taskID == task["id"]!)
            let statuses = try await setup.app.rows("SELECT DISTINCT status FROM message_recipients")
            #expect(statuses.map { $0["status"]! } == ["submitted"])
        }
    }

    @Test func refusalsAndExhaustedRetriesFailTheRecipients() async throws {
        try await withSetup { setup in
            _ = try await setup.send(["13812345670"])
            await setup.simulator.injectSendFaults([.code("99")])
            try await setup.dispatcher().runOnce()
            let refused = try await setup.app.rows("SELECT status, status_code FROM message_recipients")[0]
            #expect(refused["status"] == "failed")
            #expect(refused["status_code"] == "99")

            _ = try await setup.send(["13812345671"], content: "second")
            await setup.simulator.injectSendFaults([.httpStatus(503), .httpStatus(503)])
            let dispatcher = setup.dispatcher(maxAttempts: 2)
            try await dispatcher.runOnce()
            try await setup.makeRetriesDue()
            try await dispatcher.runOnce()
            let exhausted = try await setup.app.rows(
                "SELECT status, status_code, status_description FROM message_recipients WHERE number_e164 = '+8613812345671'"
            )[0]
            #expect(exhausted["status"] == "failed")
            #expect(exhausted["status_code"] == "dispatch_failed")
            #expect(exhausted["status_description"]??.contains("2 attempts") == true)
        }
    }

    func poller(_ setup: Setup, timeout: Duration = TestTimeouts.outboundCall) -> GatewayPoller {
        GatewayPoller(
            polls: PostgresPollRepository(database: Database(pool: setup.app.pool)),
            accounts: PostgresProviderAccountRepository(database: Database(pool: setup.app.pool)),
            events: PostgresEventStore(database: Database(pool: setup.app.pool)),
            caller: setup.app.caller(timeout: timeout),
            keyring: testKeyring,
            logger: Logger(label: "test.poll"),
            intervals: [.report: .zero, .mo: .zero, .balance: .zero]
        )
    }

    @Test func pulledReportsRepliesAndBalancesReachTheDatabase() async throws {
        try await withSetup { setup in
            // Last digits script the outcome: 0 delivered, 6 blocked, 7 undeliverable, 8 never reported.
            let numbers = ["13512349830", "13612349836", "13712349837", "13812349838"]
            let message = try await setup.send(numbers)
            try await setup.dispatcher().runOnce()
            #expect(try await self.poller(setup).runOnce() == 3, "report, reply and balance polls")

            let states = try await setup.app.rows("SELECT number_e164, status, status_code FROM message_recipients ORDER BY number_e164")
            #expect(states.map { $0["status"]! } == ["delivered", "failed", "undelivered", "submitted"])
            let viaAPI = try await setup.app.request(.get, "/v1/messages/\(message["id"] as! String)", bearer: setup.account.key)
            let recipients = try #require(viaAPI.json["recipients"] as? [[String: Any]])
            #expect(recipients.first { $0["number_e164"] as? String == "+8613612349836" }?["status_code"] as? String == "MBBLACK")
            #expect(recipients.first { $0["number_e164"] as? String == "+8613512349830" }?["status"] as? String == "delivered")
            #expect(states[1]["status_code"] == "MBBLACK")
            let pulled = try await setup.app.rows("SELECT source, number_raw FROM status_events ORDER BY number_raw")
            #expect(pulled.allSatisfy { $0["source"] == "pull" })
            #expect(pulled.map { $0["number_raw"]! } == ["135****9830", "136****9836", "137****9837"])

            // A reply from one of the numbers, pulled, is linked to the message sent to it.
            await setup.simulator.addReply(account: "acme", mobile: "13512349830", content: "收到", extNo: nil)
            try await self.poller(setup).runOnce()
            let reply = try await setup.app.rows("SELECT content, message_id, number_raw FROM replies")
            #expect(reply.count == 1)
            #expect(reply[0]["content"] == "收到")
            #expect(reply[0]["message_id"] == message["id"] as? String)

            // Balance history: one row per poll, and the refresh endpoint polls at once.
            let refreshed = try await setup.app.request(
                .post,
                "/v1/provider-accounts/\(setup.account.accountID.uuidString.lowercased())/balance/refresh",
                bearer: setup.account.key
            )
            #expect(refreshed.status == .ok, "\(refreshed.text)")
            #expect(refreshed.json["balance"] as? Int == 1_000_000 - 4)
            let history = try await setup.app.rows("SELECT balance FROM balances ORDER BY observed_at")
            #expect(history.count == 3)
            #expect(history.allSatisfy { $0["balance"] == "999996" })
        }
    }

    @Test func twoPollersNeverPollOneAccountAtOnce() async throws {
        try await withSetup { setup in
            // Two instances with the same schedule, started together.
            let make = {
                var poller = self.poller(setup)
                poller.intervals = [.report: .seconds(60), .mo: .seconds(60), .balance: .seconds(60)]
                return poller
            }
            let a = make()
            let b = make()
            async let first = a.runOnce()
            async let second = b.runOnce()
            let total = try await first + second
            #expect(total == 3, "each of the three polls ran once, by one instance")
            #expect(try await setup.app.rows("SELECT count(*) AS n FROM balances")[0]["n"] == "1")
            // Within the interval, nothing is due for the slower poller.
            #expect(try await b.runOnce() == 0)
        }
    }

    @Test func balanceRefreshErrors() async throws {
        try await withSetup { setup in
            let huawei = try await setup.app.makeAccount("huawei", tenant: (setup.account.tenantID.uuidString.lowercased(), setup.account.key))
            expectProblem(
                try await setup.app.request(
                    .post,
                    "/v1/provider-accounts/\(huawei.accountID.uuidString.lowercased())/balance/refresh",
                    bearer: setup.account.key
                ),
                .unprocessableContent,
                code: "validation_failed"
            )
            expectProblem(
                try await setup.app.request(
                    .post,
                    "/v1/provider-accounts/\(UUID().uuidString.lowercased())/balance/refresh",
                    bearer: setup.account.key
                ),
                .notFound,
                code: "not_found"
            )
            _ = try await setup.app.request(
                .patch,
                "/v1/provider-accounts/\(setup.account.accountID.uuidString.lowercased())",
                bearer: setup.account.key,
                json: #"{"credentials":{"api_password":"wrong"}}"#
            )
            expectProblem(
                try await setup.app.request(
                    .post,
                    "/v1/provider-accounts/\(setup.account.accountID.uuidString.lowercased())/balance/refresh",
                    bearer: setup.account.key
                ),
                .badGateway,
                code: "gateway_unavailable"
            )
        }
    }

    /// Waits (bounded) until `query`'s first column of the first row equals `expected`.
    func eventually(_ setup: Setup, _ query: String, equals expected: String) async throws -> Bool {
        try await TestSupport.eventually { try await setup.app.rows(query).first?.values.first == expected }
    }

    @Test func pushesDeliverAndDroppedPushesAreRecoveredByThePull() async throws {
        try await withSetup { setup in
            _ = try await setup.pushToThisApp()

            _ = try await setup.send(["13512349830"])
            try await setup.dispatcher().runOnce()
            #expect(
                try await self.eventually(setup, "SELECT status FROM message_recipients WHERE number_e164 = '+8613512349830'", equals: "delivered")
            )
            #expect(try await setup.app.rows("SELECT source FROM status_events").map { $0["source"]! } == ["push"])
            // The same report, pulled afterwards, is recognised as the pushed one.
            try await self.poller(setup).runOnce()
            #expect(try await setup.app.count("status_events") == 1)

            // Pushes lost (the gateway sends each once): the pull recovers the state.
            await setup.simulator.dropNextPushes(1)
            _ = try await setup.send(["13612349831"], content: "second")
            try await setup.dispatcher().runOnce()
            #expect(
                try await setup.app.rows("SELECT status FROM message_recipients WHERE number_e164 = '+8613612349831'")[0]["status"] == "submitted"
            )
            try await self.poller(setup).runOnce()
            #expect(
                try await setup.app.rows("SELECT status FROM message_recipients WHERE number_e164 = '+8613612349831'")[0]["status"] == "delivered"
            )

            // A pushed reply is linked to the message it answers.
            deliver(await setup.simulator.addReply(account: "acme", mobile: "13512349830", content: "ok", extNo: nil))
            #expect(try await self.eventually(setup, "SELECT count(*) FROM replies WHERE message_id IS NOT NULL", equals: "1"))
        }
    }

    /// Two numbers of one task that the gateway masks alike (`135****0001`), reported with the same
    /// code in the same second: their pushes are two reports, and the pull of both copies adds none.
    /// A reply that is pushed and then pulled (masked) is one reply.
    @Test func pushesOfNumbersMaskedAlikeAreTwoReportsAndTheirPulledCopiesNone() async throws {
        try await withSetup { setup in
            let paths = try await setup.pushToThisApp()

            _ = try await setup.send(["13512340001", "13598760001"])
            try await setup.dispatcher().runOnce()
            #expect(try await self.eventually(setup, "SELECT count(*) FROM message_recipients WHERE status = 'delivered'", equals: "2"))
            #expect(try await setup.app.count("status_events") == 2)
            try await self.poller(setup).runOnce()
            #expect(try await setup.app.count("status_events") == 2)
            #expect(try await setup.app.rows("SELECT source FROM status_events ORDER BY source").map { $0["source"]! } == ["push", "push"])

            deliver(await setup.simulator.addReply(account: "acme", mobile: "13512340001", content: "ok", extNo: nil))
            #expect(try await self.eventually(setup, "SELECT count(*) FROM replies", equals: "1"))
            try await self.poller(setup).runOnce()
            #expect(
                try await setup.app.rows("SELECT source, number_raw FROM replies").map { [$0["source"]!, $0["number_raw"]!] } == [
                    ["push", "13512340001"]
                ]
            )

            // A reply pulled before its push (here: late) is linked by its mask to the newest match; the
            // push then names the number, and the stored reply takes it and its message.
            await setup.simulator.dropNextPushes(1)
            await setup.simulator.addReply(account: "acme", mobile: "13598760001", content: "好", extNo: nil)
            try await self.poller(setup).runOnce()
            let pulled = try await setup.app.rows("SELECT number_raw, raw->>'times' AS times FROM replies WHERE content = '好'")
            #expect(pulled.map { $0["number_raw"] } == ["135****0001"])
            let late = #"{"mobile":"13598760001","content":"好","times":"\#(pulled[0]["times"]!!)","extNo":""}"#
            #expect(try await setup.app.post(paths.replies, body: late, contentType: "application/json").status == .ok)
            let linked = try await setup.app.rows(
                "SELECT p.number_raw, p.number_e164, r.number_e164 AS recipient FROM replies p JOIN message_recipients r ON r.id = p.recipient_id WHERE p.content = '好'"
            )
            #expect(linked == [["number_raw": "13598760001", "number_e164": "+8613598760001", "recipient": "+8613598760001"]])
            #expect(try await setup.app.count("replies") == 2)
        }
    }

    @Test func twoDispatchersNeverSendATaskTwice() async throws {
        try await withSetup { setup in
            for batch in 0..<6 {
                _ = try await setup.send((0..<50).map { String(format: "139%04d%04d", batch, $0) }, content: "batch \(batch)")
            }
            let a = setup.dispatcher()
            let b = setup.dispatcher()
            async let first = a.runOnce()
            async let second = b.runOnce()
            let called = try await first + second
            // Whatever is left (a planner may have skipped rows the other held) is picked up next pass.
            let more = try await a.runOnce() + b.runOnce()
            #expect(called + more == 6)
            let tasks = await setup.simulator.allTasks()
            #expect(tasks.count == 6)
            #expect(tasks.allSatisfy { $0.sendCalls == 1 })
            #expect(try await setup.app.rows("SELECT count(*) AS n FROM message_recipients WHERE status = 'submitted'")[0]["n"] == "300")
        }
    }
}

/// A disabled account calls no provider: its queued recipients wait, and go out once it is enabled;
/// its balance cannot be refreshed.
@Suite(.tags(.slow), .timeLimit(.minutes(10))) struct DisabledAccountTests {
    @Test func aDisabledAccountSendsNothingUntilEnabled() async throws {
        try await DispatcherTests().withSetup { setup in
            let id = setup.account.accountID.uuidString.lowercased()
            _ = try await setup.send(["13800000001", "13800000002"])
            #expect(try await setup.app.request(.post, "/v1/provider-accounts/\(id)/disable", bearer: setup.account.key).status == .ok)
            _ = try await setup.dispatcher().runOnce()
            #expect(await setup.simulator.allTasks().isEmpty, "nothing reached the gateway")
            let waiting = try await setup.app.rows("SELECT status FROM message_recipients")
            #expect(waiting.count == 2 && waiting.allSatisfy { $0["status"] == "queued" })
            let refresh = try await setup.app.request(.post, "/v1/provider-accounts/\(id)/balance/refresh", bearer: setup.account.key)
            expectProblem(refresh, .conflict, code: "account_disabled")

            #expect(try await setup.app.request(.post, "/v1/provider-accounts/\(id)/enable", bearer: setup.account.key).status == .ok)
            _ = try await setup.dispatcher().runOnce()
            #expect(await setup.simulator.allTasks().flatMap(\.mobiles).sorted() == ["13800000001", "13800000002"])
            #expect(try await setup.app.rows("SELECT status FROM message_recipients").allSatisfy { $0["status"] == "submitted" })
        }
    }
}

/// Disabling stops calls out, never reports in: a disabled account's, and a disabled tenant's,
/// callbacks are still stored.
@Suite(.tags(.slow), .timeLimit(.minutes(10))) struct DisabledCallbackTests {
    @Test func callbacksOfDisabledAccountsAndTenantsAreStored() async throws {
        try await withApp { app in
            let account = try await app.engageLab()
            let id = account.accountID.uuidString.lowercased()
            #expect(try await app.request(.post, "/v1/provider-accounts/\(id)/disable", bearer: account.key).status == .ok)
            #expect(try await app.postEngageLab(account, EngageLabSeeds.delivered).status == .ok)
            #expect(try await app.count("status_events") == 1)

            #expect(try await app.admin(.post, "/admin/tenants/\(account.tenantID.uuidString.lowercased())/disable").status == .ok)
            #expect(try await app.postEngageLab(account, EngageLabSeeds.failed).status == .ok)
            #expect(try await app.count("status_events") == 2)
        }
    }
}
