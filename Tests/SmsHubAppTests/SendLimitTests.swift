import Foundation
import HTTPTypes
import Logging
import NIOCore
import Postgres
import SmsHubDomain
import TestSupport
import Testing

@testable import SmsHubApp
@testable import SmsHubRepository

/// Frequency caps and quotas, decided in PostgreSQL in the transaction that accepts a message: exact
/// across instances, and a refused send keeps nothing.
@Suite(.tags(.slow), .timeLimit(.minutes(10))) struct SendLimitTests {
    /// The tenant API's own request limit out of the way: these tests are about the send rules.
    static func unlimited(_ configuration: inout AppConfiguration) {
        configuration.rateLimits = [.api: RateLimit(perMinute: 600_000, burst: 100_000)]
    }

    /// Two instances of the service over one database, as two processes would be, each with its pool.
    func withTwoInstances(_ body: @Sendable (AppHarness, AppHarness) async throws -> Void) async throws {
        try await withAppPool(maxConnections: 8) { first, database in
            let migrations = try Migration.bundled()
            try await withLiveRoutes(
                Repositories(database: Database(pool: first), migrator: Migrator(migrations: migrations)),
                database: database,
                pool: first,
                configure: Self.unlimited
            ) { a in
                try await PGPool.scoped(PGConfiguration.test(url: database.appURL, maxConnections: 8)) { second in
                    try await withLiveRoutes(
                        Repositories(database: Database(pool: second), migrator: Migrator(migrations: migrations)),
                        database: database,
                        pool: second,
                        configure: Self.unlimited
                    ) { b in
                        try await body(a, b)
                    }
                }
            }
        }
    }

    static func body(_ account: CallbackAccount, _ numbers: [String], category: String = "verification") -> String {
        let list = numbers.map { "\"\($0)\"" }.joined(separator: ",")
        return
            #"{"provider_account_id":"\#(account.accountID.uuidString.lowercased())","recipients":[\#(list)],"content":"【Acme】您的验证码是1234","category":"\#(category)"}"#
    }

    @Test func oneNumberUnderACapOfOneAMinuteGetsExactlyOneOf200ConcurrentSendsFromTwoInstances() async throws {
        try await withTwoInstances { a, b in
            let account = try await a.makeAccount("submail", settings: ["app_id": "10000"], credentials: ["subhook_key": "k", "app_key": "s"])
            let put = try await a.request(.put, "/v1/send-rules", bearer: account.key, json: #"{"caps":{"verification":[{"count":1,"seconds":60}]}}"#)
            #expect(put.status == .ok)
            for repetition in 0..<5 {
                let number = "+86138000001\(String(format: "%02d", repetition))"
                let replies = try await withThrowingTaskGroup(of: AppHarness.Reply.self) { group in
                    for index in 0..<200 {
                        let app = index % 2 == 0 ? a : b
                        group.addTask { try await app.request(.post, "/v1/messages", bearer: account.key, json: Self.body(account, [number])) }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                let accepted = replies.filter { $0.status == .accepted }
                let limited = replies.filter { $0.status == .tooManyRequests }
                #expect(accepted.count == 1, "repetition \(repetition): \(accepted.count) accepted")
                #expect(limited.count == 199, "repetition \(repetition): \(Set(replies.map(\.status.code)))")
                for reply in limited.prefix(3) {
                    expectProblem(reply, .tooManyRequests, code: "rate_limited")
                    let wait = Int(reply.headers[.retryAfter] ?? "") ?? 0
                    // Judged at the statement's start, which a wait for the lock can put before the stamp it met.
                    #expect((1...61).contains(wait), "Retry-After \(wait)")
                }
                let stored = try await a.rows("SELECT count(*) AS n FROM message_recipients WHERE number_e164 = '\(number)'")
                #expect(stored.first?["n"] == "1", "a refused send stores nothing")
                let stamps = try await a.rows("SELECT cardinality(stamps) AS n FROM number_caps WHERE number_e164 = '\(number)'")
                #expect(stamps.first?["n"] == "1")
            }
        }
    }

    @Test func inALargerMessageTheRecipientsOverALimitFailAndTheRestGo() async throws {
        try await withApp(rateLimits: [.api: RateLimit(perMinute: 600_000, burst: 100_000)]) { app in
            let account = try await app.makeAccount("submail", settings: ["app_id": "10000"], credentials: ["subhook_key": "k", "app_key": "s"])
            let first = try await app.request(.post, "/v1/messages", bearer: account.key, json: Self.body(account, ["13800000201"]))
            #expect(first.status == .accepted)
            _ = try await app.request(.put, "/v1/send-rules", bearer: account.key, json: #"{"quotas":{"recipients_per_day":3}}"#)
            let numbers = ["13800000201", "13800000202", "13800000203", "13800000204", "13800000205"]
            let sent = try await app.request(.post, "/v1/messages", bearer: account.key, json: Self.body(account, numbers))
            #expect(sent.status == .accepted, "\(sent.text)")
            let recipients = try #require(sent.json["recipients"] as? [[String: Any]])
            // The send before the quota was set is not counted: usage is kept while a quota exists.
            #expect(recipients.map { $0["status"] as? String } == ["failed", "queued", "queued", "queued", "failed"])
            #expect(recipients.map { $0["status_code"] as? String } == ["rate_limited", nil, nil, nil, "rate_limited"])
            #expect((recipients[0]["status_description"] as? String)?.contains("cap of 1 in 60 s") == true)
            #expect((recipients[4]["status_description"] as? String)?.contains("quota of 3 recipients a day") == true)
            let usage = try await app.rows("SELECT period, recipients FROM quota_usage ORDER BY period")
            #expect(usage.map { $0["recipients"] ?? nil } == ["3", "3"], "the capped and the over-quota cost nothing")

            // Notifications have no caps by default; the quota still holds.
            let over = try await app.request(
                .post,
                "/v1/messages",
                bearer: account.key,
                json: Self.body(account, ["13800000209"], category: "notification")
            )
            expectProblem(over, .tooManyRequests, code: "rate_limited")
            let untilMidnight = Int(over.headers[.retryAfter] ?? "") ?? 0
            #expect((1...86_400).contains(untilMidnight))
        }
    }

    @Test func aNotificationHasNoCapByDefault() async throws {
        try await withApp { app in
            let account = try await app.makeAccount("submail", settings: ["app_id": "10000"], credentials: ["subhook_key": "k", "app_key": "s"])
            for _ in 0..<3 {
                let sent = try await app.request(
                    .post,
                    "/v1/messages",
                    bearer: account.key,
                    json: Self.body(account, ["13800000401"], category: "notification")
                )
                #expect(sent.status == .accepted)
            }
            #expect(try await app.count("number_caps") == 0, "nothing to lock or count")
        }
    }

    /// `cap_admit` (SQL, where caps are decided) and `FrequencyCaps` (Swift, which says how long to
    /// wait and is the documented rule) agree on who fits and on what is kept.
    @Test func theSQLAndSwiftRulesAgree() async throws {
        try await withApp { app in
            let windows = FrequencyCaps.defaults[.verification]!
            let now = Date(timeIntervalSince1970: 1_800_000_000)
            let cases: [[Double]] = [
                [], [61], [20], [0.2], [100, 200, 300, 400, 3_500], [100, 200, 300, 400, 3_700], (1...10).map { Double($0) * 7_200 },
                (1...10).map { Double($0) * 8_700 }, (1...30).map { Double($0) * 4_000 }, [-1],
            ]
            for ago in cases {
                let stamps = ago.map { now.addingTimeInterval(-$0) }
                let literal = "ARRAY[" + stamps.map { "to_timestamp(\($0.timeIntervalSince1970))" }.joined(separator: ",") + "]::timestamptz[]"
                let row = try await app.rows(
                    """
                    SELECT ARRAY(SELECT extract(epoch FROM s)::text FROM unnest(cap_admit(\(literal), to_timestamp(\(now.timeIntervalSince1970)),
                                 ARRAY[1, 5, 10], ARRAY[60, 3600, 86400])) AS s)::text AS kept,
                           cap_admit(\(literal), to_timestamp(\(now.timeIntervalSince1970)), ARRAY[1, 5, 10], ARRAY[60, 3600, 86400]) IS NULL AS refused
                    """
                ).first
                let allowed = FrequencyCaps.check(stamps: stamps, now: now, windows: windows) == .allowed
                #expect(row?["refused"] == (allowed ? "f" : "t"), "\(ago)")
                if allowed {
                    let kept = FrequencyCaps.keep(stamps: stamps, now: now, windows: windows).map { "\(Int($0.timeIntervalSince1970))" }
                    let sql = (row?["kept"] ?? nil)?.trimmingCharacters(in: CharacterSet(charactersIn: "{}")).split(separator: ",").map {
                        "\(Int(Double($0) ?? 0))"
                    }
                    #expect(sql ?? [] == kept, "\(ago)")
                }
            }
        }
    }

    @Test func capRowsNoWindowCanCountArePruned() async throws {
        try await withApp { app in
            let account = try await app.makeAccount("submail", settings: ["app_id": "10000"], credentials: ["subhook_key": "k", "app_key": "s"])
            #expect(try await app.request(.post, "/v1/messages", bearer: account.key, json: Self.body(account, ["13800000501"])).status == .accepted)
            _ = try await withPool(url: app.database.superuserURL) { pool in
                try await pool.query(
                    """
                    INSERT INTO number_caps (tenant_id, category, number_e164, stamps)
                    VALUES (\(account.tenantID), 'verification', '+8613800000502', ARRAY[now() - interval '33 days']),
                           (\(account.tenantID), 'verification', '+8613800000503', '{}'),
                           (\(account.tenantID), 'marketing', '+8613800000504', ARRAY[now() - interval '20 days', now() - interval '40 days'])
                    """
                )
            }
            let pruner = NumberCapPruner(
                repository: PostgresNumberCapRepository(database: Database(pool: app.pool)),
                logger: Logger(label: "test"),
                batch: 1
            )
            #expect(try await pruner.runOnce() == 2, "in slices of one, until a slice finds nothing")
            let left = try await app.rows("SELECT number_e164 FROM number_caps ORDER BY 1")
            #expect(left.map { $0["number_e164"] ?? nil } == ["+8613800000501", "+8613800000504"])
        }
    }

    @Test func aSendRefusedAfterItsReservationReleasesIt() async throws {
        try await withApp { app in
            let account = try await app.makeAccount("submail", settings: ["app_id": "10000"], credentials: ["subhook_key": "k", "app_key": "s"])
            func send(_ number: String, key: String?) async throws -> AppHarness.Reply {
                var headers: HTTPFields = [.authorization: "Bearer \(account.key)", .contentType: "application/json"]
                if let key { headers[HTTPField.Name("Idempotency-Key")!] = key }
                let response = try await app.client.execute(
                    uri: "/v1/messages",
                    method: .post,
                    headers: headers,
                    body: .init(string: Self.body(account, [number]))
                )
                return AppHarness.Reply(status: response.status, headers: response.headers, body: response.body)
            }
            #expect(try await send("13800000301", key: "k1").status == .accepted)
            // The same key with another request: refused on the key, before any cap is taken.
            #expect(try await send("13800000302", key: "k1").status == .conflict)
            #expect(try await send("13800000302", key: nil).status == .accepted, "the refused send held no reservation")
            #expect(try await send("13800000301", key: "k1").status == .accepted, "a replay is not a second send")
            let stamps = try await app.rows("SELECT number_e164, cardinality(stamps) AS n FROM number_caps ORDER BY 1")
            #expect(stamps.map { $0["n"] ?? nil } == ["1", "1"])
        }
    }
}
