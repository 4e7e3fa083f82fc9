import Foundation
import HTTPTypes
import Logging
import SmsHubDomain
import SmsHubSimulator
import TestSupport
import Testing

@testable import SmsHubApp
@testable import SmsHubRepository

/// Every recipient ends in its own outcome or `expired` (issue 19): masked Gateway copies never put
/// one number's outcome on another, and a window that ends without a report expires the recipient.
@Suite(.tags(.slow), .timeLimit(.minutes(10))) struct TrueOutcomeTests {
    /// One number of a generated task: its outcome, and which of its two copies the gateway hands out.
    struct Number {
        var national: String
        var code: String
        var times: String
        var pushed: Bool
        var pulled: Bool
        var masked: String { String(self.national.prefix(3)) + "****" + String(self.national.suffix(4)) }
    }

    static let zone = TimeZone(identifier: "Asia/Shanghai")!

    static func report(task: String, mobile: String, number: Number) throws -> StatusReport {
        let fields = ["sendId": task, "mobile": mobile, "times": number.times, "status": number.code]
        return try GatewayCallbackParser.status(fields, raw: "{}", zone: zone)
    }

    /// One of the gateway's two copies of a number's report: pushed with the full number, or pulled masked.
    static func copy(_ account: CallbackAccount, task: String, number: Number, source: IncomingEvents.Source) throws -> IncomingEvents {
        let report = try Self.report(task: task, mobile: source == .push ? number.national : number.masked, number: number)
        return IncomingEvents(tenantID: account.tenantID, accountID: account.accountID, provider: .gateway, source: source, events: [.status(report)])
    }

    /// A Gateway account whose gateway is never called: the tests feed its reports in themselves.
    static func gatewayAccount(_ app: AppHarness) async throws -> CallbackAccount {
        try await app.makeAccount("gateway", settings: ["base_url": "http://127.0.0.1:1", "account": "a"], credentials: ["api_password": "p"])
    }

    /// Two numbers masked alike (`158****n833`), one delivered and one not, both reported by push and pull.
    static func maskedAlike(_ n: Int) -> [Number] {
        [
            Number(national: "1581234\(n)833", code: "DELIVRD", times: "2026-11-27 10:00:00", pushed: true, pulled: true),
            Number(national: "1589999\(n)833", code: "UNDELIV", times: "2026-11-27 10:00:01", pushed: true, pulled: true),
        ]
    }

    /// Seeds one message whose recipients form one Gateway task (its window still open); returns the
    /// recipient ids in the numbers' order.
    static func seedTask(_ app: AppHarness, _ account: CallbackAccount, task: UUID, numbers: [String]) async throws -> [UUID] {
        let taskID = task.uuidString.lowercased()
        let ids = try await app.seedRecipients(account, numbers.map { ($0, "+86" + $0, taskID) })
        let list = ids.map { "'\($0.uuidString)'" }.joined(separator: ",")
        _ = try await app.rows(
            """
            INSERT INTO dispatch_tasks (tenant_id, id, message_id, provider_account_id, recipient_ids, state, open_until)
            SELECT tenant_id, '\(taskID)', message_id, provider_account_id, ARRAY[\(list)]::uuid[], 'done', now() + interval '1 hour'
            FROM message_recipients WHERE id = '\(ids[0].uuidString)' RETURNING id
            """
        )
        return ids
    }

    /// Random tasks of numbers masked alike with different outcomes; their pushes and pulled copies
    /// (some lost) arrive in random order and random batches; then the windows end. Each recipient ends
    /// in its own outcome, or `expired` as the hub's inference: in its own outcome whenever its push
    /// came, `expired` when no report of it came, and never in another number's.
    @Test(arguments: [UInt64(19), 1_119, 2_019])
    func interleavedCopiesOfNumbersMaskedAlikeNeverSwapOutcomes(seed: UInt64) async throws {
        try await withApp { app in
            var random = SeededGenerator(seed: seed)
            let account = try await Self.gatewayAccount(app)
            let store = PostgresEventStore(database: Database(pool: app.pool))
            let codes = ["DELIVRD", "UNDELIV", "MBBLACK", "DELIVRD", "EXPIRED"]
            var expectations: [(id: UUID, number: Number, task: String)] = []
            var copies: [(IncomingEvents)] = []
            for trial in 0..<8 {
                let task = UUID()
                let taskID = task.uuidString.lowercased()
                let alike = Int.random(in: 2...4, using: &random)
                var numbers: [Number] = []
                var middles = Set<Int>()
                while middles.count < alike { middles.insert(Int.random(in: 0...9999, using: &random)) }
                for middle in middles.sorted() {
                    // Same-second reports of the same code are distinct reports of distinct numbers too.
                    let second = Int.random(in: 0...2, using: &random)
                    numbers.append(
                        Number(
                            national: "159" + String(format: "%04d", middle) + "7532",
                            code: codes.randomElement(using: &random)!,
                            times: "2026-11-27 10:00:0\(second)",
                            pushed: Int.random(in: 0..<10, using: &random) < 8,
                            pulled: Int.random(in: 0..<10, using: &random) < 9
                        )
                    )
                }
                // A number of its own mask beside them.
                numbers.append(Number(national: "13800\(trial)01234", code: "DELIVRD", times: "2026-11-27 10:00:05", pushed: true, pulled: true))
                let ids = try await Self.seedTask(app, account, task: task, numbers: numbers.map(\.national))
                for (id, number) in zip(ids, numbers) {
                    expectations.append((id, number, taskID))
                    if number.pushed { copies.append(try Self.copy(account, task: taskID, number: number, source: .push)) }
                    if number.pulled { copies.append(try Self.copy(account, task: taskID, number: number, source: .pull)) }
                }
            }
            copies.shuffle(using: &random)
            var next = 0
            while next < copies.count {
                let size = min(copies.count - next, Int.random(in: 1...3, using: &random))
                _ = try await store.store(Array(copies[next..<next + size]))
                next += size
            }

            // Before the windows end: nothing in another number's outcome, every pushed number in its own.
            try await Self.check(app, expectations, windowsEnded: false, seed: seed)
            _ = try await app.rows("UPDATE dispatch_tasks SET open_until = now() - interval '1 second' RETURNING id")
            let sweeper = ExpirySweeper(repository: PostgresExpiryRepository(database: Database(pool: app.pool)), logger: Logger(label: "test"))
            let pass = try await sweeper.runOnce()
            #expect(pass.tasks == 8)
            try await Self.check(app, expectations, windowsEnded: true, seed: seed)
            #expect(try await sweeper.runOnce() == ExpiryPass(), "a window closes once")
            // Copies attached, detached and attached again keep the number of where they ended (0022).
            #expect(try await app.eventRecipientMismatches() == 0)
        }
    }

    static func check(_ app: AppHarness, _ expectations: [(id: UUID, number: Number, task: String)], windowsEnded: Bool, seed: UInt64) async throws {
        for (id, number, task) in expectations {
            let own = try Self.report(task: task, mobile: number.national, number: number)
            let row = try await app.rows(
                "SELECT status, status_code, status_inferred::text AS status_inferred FROM message_recipients WHERE id = '\(id.uuidString)'"
            )[0]
            let status = row["status"]!!
            let code = row["status_code"] ?? nil
            let context = "seed \(seed), \(number.national) \(number.code) pushed \(number.pushed) pulled \(number.pulled): \(status) \(code ?? "-")"
            if row["status_inferred"] == "true" {
                #expect(status == "expired" && windowsEnded, "\(context)")
                #expect(!number.pushed, "a pushed report is certain: \(context)")
                #expect(code == InferredExpiry.windowCode || code == InferredExpiry.ambiguousCode, "\(context)")
            } else if status != "submitted" {
                #expect(status == own.state.rawValue && code == number.code, "its own outcome only: \(context)")
            } else {
                #expect(!windowsEnded, "every recipient ends: \(context)")
                #expect(!number.pushed, "a pushed number moves at once: \(context)")
            }
            if number.pushed { #expect(status == own.state.rawValue, "\(context)") }
            if !number.pushed && !number.pulled && windowsEnded {
                #expect(status == "expired" && code == InferredExpiry.windowCode, "\(context)")
            }
            // Its history holds only reports of its own outcome, besides the hub's inference.
            let history = try await app.rows(
                "SELECT state, provider_code, source FROM status_events WHERE recipient_id = '\(id.uuidString)'"
            )
            for event in history where event["source"] != "inferred" {
                #expect(event["state"] == own.state.rawValue && (event["provider_code"] ?? nil) == number.code, "history of \(context)")
            }
        }
    }
}

extension TrueOutcomeTests {
    /// Through the simulator: a number it never reports on (last digit 8) expires when its account's
    /// window ends, as an inference the history records; the gateway's late final word still wins.
    @Test func aSilentNumberExpiresAndALateReportStillWins() async throws {
        try await DispatcherTests().withSetup { setup in
            let account = setup.account.accountID.uuidString.lowercased()
            let patched = try await setup.app.request(
                .patch,
                "/v1/provider-accounts/\(account)",
                bearer: setup.account.key,
                json: #"{"settings":{"validity_seconds":"5"}}"#
            )
            #expect(patched.status == .ok, "\(patched.text)")
            _ = try await setup.send(["13512349830", "13812349838"])
            try await setup.dispatcher().runOnce()
            _ = try await DispatcherTests().poller(setup).runOnce()
            let window = try await setup.app.rows(
                """
                SELECT extract(epoch FROM d.open_until - m.created_at)::int AS seconds FROM dispatch_tasks d
                JOIN messages m ON m.tenant_id = d.tenant_id AND m.id = d.message_id
                """
            )
            #expect(window.map { $0["seconds"] } == ["5"])
            let sweeper = ExpirySweeper(repository: PostgresExpiryRepository(database: Database(pool: setup.app.pool)), logger: Logger(label: "test"))
            // Before the window ends (5 s after acceptance) a sweep leaves the task alone; a loaded machine
            // may already be past it, so the check is made only while the database says it is still open.
            let open = try await setup.app.rows("SELECT (open_until > now() + interval '1 second')::text AS open FROM dispatch_tasks")
            if open.first?["open"] == "true" { #expect(try await sweeper.runOnce() == ExpiryPass(), "the window is still open") }

            var pass = ExpiryPass()
            #expect(
                try await eventually(every: .milliseconds(250)) {
                    pass = try await sweeper.runOnce()
                    return pass.tasks != 0
                }
            )
            #expect(pass == ExpiryPass(tasks: 1, expired: 1))
            let states = try await setup.app.rows(
                "SELECT number_e164, status, status_code, status_inferred::text AS inferred FROM message_recipients ORDER BY number_e164"
            )
            #expect(states.map { $0["status"] } == ["delivered", "expired"])
            #expect(states.map { $0["inferred"] } == ["false", "true"])
            #expect(states[1]["status_code"] == InferredExpiry.windowCode)

            // The gateway's report comes after all (pushed, with the full number).
            let taskID = try #require(try await setup.app.rows("SELECT id::text AS id FROM dispatch_tasks")[0]["id"] ?? nil)
            let push = #"{"sendId":"\#(taskID)","mobile":"13812349838","times":"2026-11-27 18:00:00","status":"DELIVRD"}"#
            #expect(try await setup.app.post(setup.account.path("status"), body: push, contentType: "application/json").status == .ok)
            let late = try await setup.app.rows(
                "SELECT status, status_code, status_inferred::text AS inferred FROM message_recipients WHERE number_e164 = '+8613812349838'"
            )[0]
            #expect(late["status"] == "delivered" && late["status_code"] == "DELIVRD" && late["inferred"] == "false")
            let history = try await setup.app.rows(
                """
                SELECT e.state, e.source FROM status_events e JOIN message_recipients r ON r.id = e.recipient_id
                WHERE r.number_e164 = '+8613812349838' ORDER BY e.received_at
                """
            )
            #expect(history.map { "\($0["state"]!!)/\($0["source"]!!)" } == ["expired/inferred", "delivered/push"])
            // Visible through the API too.
            let events = try await setup.app.request(.get, "/v1/status-events?number=%2B8613812349838", bearer: setup.account.key)
            #expect(events.status == .ok, "\(events.text)")
        }
    }

    /// A task the gateway has not accepted when its window ends (its account disabled meanwhile) is
    /// not sent later: its recipients expire and the task fails with the reason.
    @Test func aTaskStillWaitingWhenItsWindowEndsIsNeverSent() async throws {
        try await DispatcherTests().withSetup { setup in
            let account = "/v1/provider-accounts/\(setup.account.accountID.uuidString.lowercased())"
            _ = try await setup.send(["13512349830"])
            #expect(try await setup.app.request(.post, account + "/disable", bearer: setup.account.key).status == .ok)
            // Planned, not sent: the account is disabled.
            #expect(try await setup.dispatcher().runOnce() == 0)
            _ = try await setup.app.rows("UPDATE dispatch_tasks SET open_until = now() - interval '1 second' RETURNING id")
            let sweeper = ExpirySweeper(repository: PostgresExpiryRepository(database: Database(pool: setup.app.pool)), logger: Logger(label: "test"))
            #expect(try await sweeper.runOnce() == ExpiryPass(tasks: 1, expired: 1))
            #expect(try await setup.app.request(.post, account + "/enable", bearer: setup.account.key).status == .ok)
            #expect(try await setup.dispatcher().runOnce() == 0)
            #expect(await setup.simulator.allTasks().isEmpty)
            let task = try await setup.app.rows("SELECT state, last_error FROM dispatch_tasks")[0]
            #expect(task["state"] == "failed" && task["last_error"] == InferredExpiry.unsentNote)
            #expect(try await setup.app.rows("SELECT status FROM message_recipients").map { $0["status"] } == ["expired"])
        }
    }
}

extension TrueOutcomeTests {
    /// Two numbers masked alike, reported differently, only by pulled copies: nothing can tell which
    /// copy is whose, so neither recipient moves, and at the window's end both say their report could
    /// not be attributed. A push arriving after all still gives each its own outcome.
    @Test func copiesThatCannotBeAttributedEndAsAmbiguous() async throws {
        try await withApp { app in
            let account = try await Self.gatewayAccount(app)
            let task = UUID()
            let taskID = task.uuidString.lowercased()
            let numbers = [
                Number(national: "15912347532", code: "DELIVRD", times: "2026-11-27 10:00:00", pushed: false, pulled: true),
                Number(national: "15900007532", code: "UNDELIV", times: "2026-11-27 10:00:01", pushed: false, pulled: true),
            ]
            let ids = try await Self.seedTask(app, account, task: task, numbers: numbers.map(\.national))
            let store = PostgresEventStore(database: Database(pool: app.pool))
            for number in numbers { _ = try await store.store([try Self.copy(account, task: taskID, number: number, source: .pull)]) }
            for id in ids { #expect(try await app.recipientStatus(id).status == "submitted") }
            _ = try await app.rows("UPDATE dispatch_tasks SET open_until = now() - interval '1 second' RETURNING id")
            let sweeper = ExpirySweeper(repository: PostgresExpiryRepository(database: Database(pool: app.pool)), logger: Logger(label: "test"))
            #expect(try await sweeper.runOnce() == ExpiryPass(tasks: 1, expired: 2))
            for id in ids {
                let state = try await app.recipientStatus(id)
                #expect(state.status == "expired" && state.code == InferredExpiry.ambiguousCode)
            }
            // The second number's push: it takes its copy, and the first number's copy is then its by elimination.
            _ = try await store.store([try Self.copy(account, task: taskID, number: numbers[1], source: .push)])
            #expect(try await app.recipientStatus(ids[0]).status == "delivered")
            #expect(try await app.recipientStatus(ids[1]).status == "undelivered")
        }
    }
    /// Two numbers of one task masked alike, with different outcomes, both pulled copies held. The
    /// push of the first settles both: it takes its own copy, and the other copy then fits exactly one
    /// open recipient (decision 0009: a later report of the task plans the held copies again).
    /// Both pulled copies held; one push settles its own number and, by elimination, the other's:
    /// in every order of the pushes, with the pulls stored one by one or together, and with the
    /// reports made in the same second (as a gateway reports a task) or apart.
    @Test(arguments: [
        (firstPush: 0, pullsTogether: false, sameSecond: false), (firstPush: 1, pullsTogether: false, sameSecond: false),
        (firstPush: 0, pullsTogether: true, sameSecond: false), (firstPush: 1, pullsTogether: true, sameSecond: true),
        (firstPush: 0, pullsTogether: true, sameSecond: true), (firstPush: 0, pullsTogether: false, sameSecond: true),
    ])
    func aPushSettlesTheHeldCopyOfTheOtherNumberByElimination(firstPush: Int, pullsTogether: Bool, sameSecond: Bool) async throws {
        try await withApp { app in
            let account = try await Self.gatewayAccount(app)
            let task = UUID()
            let taskID = task.uuidString.lowercased()
            var numbers = Self.maskedAlike(0)
            if sameSecond { numbers[1].times = numbers[0].times }
            let ids = try await Self.seedTask(app, account, task: task, numbers: numbers.map(\.national))
            let store = PostgresEventStore(database: Database(pool: app.pool))
            let pulls = try numbers.map { try Self.copy(account, task: taskID, number: $0, source: .pull) }
            if pullsTogether {
                var both = pulls[0]
                both.events += pulls[1].events
                _ = try await store.store([both])
            } else {
                for pull in pulls { _ = try await store.store([pull]) }
            }
            for id in ids { #expect(try await app.recipientStatus(id).status == "submitted", "held: either copy may be either number's") }
            _ = try await store.store([try Self.copy(account, task: taskID, number: numbers[firstPush], source: .push)])
            #expect(try await app.recipientStatus(ids[0]).status == "delivered")
            #expect(try await app.recipientStatus(ids[1]).status == "undelivered", "the held copy left fits one open recipient")
        }
    }

    /// The same pair, but the push carries another time than its pulled copy (a gateway that stamps
    /// the push when it sends it): the push cannot pair with its copy, and is a report of its own. The
    /// held copies still settle the other number: one of them is the pushed number's.
    @Test(arguments: [0, 1])
    func aPushThatDoesNotPairWithItsCopyStillSettlesTheOtherNumber(firstPush: Int) async throws {
        try await withApp { app in
            let account = try await Self.gatewayAccount(app)
            let task = UUID()
            let taskID = task.uuidString.lowercased()
            let numbers = Self.maskedAlike(0)
            let ids = try await Self.seedTask(app, account, task: task, numbers: numbers.map(\.national))
            let store = PostgresEventStore(database: Database(pool: app.pool))
            for number in numbers { _ = try await store.store([try Self.copy(account, task: taskID, number: number, source: .pull)]) }
            var pushed = numbers[firstPush]
            pushed.times = "2026-11-27 10:00:05"
            _ = try await store.store([try Self.copy(account, task: taskID, number: pushed, source: .push)])
            #expect(try await app.recipientStatus(ids[0]).status == "delivered")
            #expect(try await app.recipientStatus(ids[1]).status == "undelivered", "the other held copy fits one open recipient")
        }
    }

    /// Six such pairs, every copy held, then all twelve pushes at once, each in a transaction of its
    /// own (as the ingest batcher forms them when they arrive apart): each push of a pair re-homes its
    /// own copy and attaches the other. Every one is stored (a deadlock between them is avoided, or
    /// retried inside the hub, never an error a provider may give up on), and every recipient ends in
    /// its own outcome.
    @Test func concurrentPushesOfPairsMaskedAlikeAreAllStoredAndSettleEveryone() async throws {
        try await withApp { app in
            let account = try await Self.gatewayAccount(app)
            let store = PostgresEventStore(database: Database(pool: app.pool))
            var expected: [(UUID, String)] = []
            var pushes: [IncomingEvents] = []
            for pair in 0..<6 {
                let task = UUID()
                let taskID = task.uuidString.lowercased()
                let numbers = Self.maskedAlike(pair)
                let ids = try await Self.seedTask(app, account, task: task, numbers: numbers.map(\.national))
                for number in numbers { _ = try await store.store([try Self.copy(account, task: taskID, number: number, source: .pull)]) }
                expected += [(ids[0], "delivered"), (ids[1], "undelivered")]
                pushes += try numbers.map { try Self.copy(account, task: taskID, number: $0, source: .push) }
            }
            let failures = try await withThrowingTaskGroup(of: String?.self) { group in
                for push in pushes.shuffled() {
                    group.addTask {
                        do {
                            _ = try await store.store([push])
                            return nil
                        } catch {
                            return "\(error)"
                        }
                    }
                }
                var all: [String] = []
                for try await failure in group { if let failure { all.append(failure) } }
                return all
            }
            #expect(failures.isEmpty, "\(failures)")
            for (id, status) in expected { #expect(try await app.recipientStatus(id).status == status) }
        }
    }
}
