import Foundation
import HTTPTypes
import Logging
import Postgres
import TestSupport
import Testing

@testable import SmsHubApp
@testable import SmsHubRepository

/// The daily summary's kept counts (migration 0021) against the recipients they count: exact before
/// and after every fold, through sends, reports and removals, and for the tenant's own rows only.
@Suite(.tags(.slow), .timeLimit(.minutes(10))) struct OutcomeCountTests {
    /// The summary's items as "day account sent delivered failed pending", sorted.
    func summary(_ app: AppHarness, _ key: String, _ query: String, accounts: [UUID: String]) async throws -> [String] {
        let reply = try await app.request(.get, "/v1/summary/daily?\(query)", bearer: key)
        #expect(reply.status == .ok, "\(reply.text)")
        return (reply.json["items"] as? [[String: Any]] ?? []).map { item in
            let account = (item["provider_account_id"] as? String).flatMap(UUID.init(uuidString:)).flatMap { accounts[$0] } ?? "?"
            return "\(item["date"]!) \(account) \(item["sent"]!) \(item["delivered"]!) \(item["failed"]!) \(item["pending"]!)"
        }.sorted()
    }

    /// The same, counted from the recipients directly (UTC days).
    func counted(_ app: AppHarness, tenantID: UUID, from: String, to: String, accounts: [UUID: String]) async throws -> [String] {
        try await withPool(url: app.database.superuserURL) { pool in
            try await pool.query(
                """
                SELECT to_char((created_at AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') AS day, provider_account_id,
                       count(*) AS sent,
                       count(*) FILTER (WHERE status = 'delivered') AS delivered,
                       count(*) FILTER (WHERE status IN ('failed', 'undelivered', 'expired')) AS failed,
                       count(*) FILTER (WHERE status IN ('queued', 'submitted', 'sent', 'unknown')) AS pending
                FROM message_recipients
                WHERE tenant_id = \(tenantID) AND created_at >= \(from)::timestamptz AND created_at < \(to)::timestamptz
                GROUP BY 1, 2
                """
            ).rows.map { row in
                let account: UUID = try row.decode("provider_account_id")
                let values = try ["sent", "delivered", "failed", "pending"].map { try row.decode($0, as: Int.self) }
                return "\(try row.decode("day", as: String.self)) \(accounts[account] ?? "?") " + values.map(String.init).joined(separator: " ")
            }.sorted()
        }
    }

    func superuser(_ app: AppHarness, _ query: PGQuery) async throws -> PGResult {
        try await withPool(url: app.database.superuserURL) { pool in try await pool.query(query) }
    }

    @Test func countsMatchTheRecipientsBeforeAndAfterEveryFold() async throws {
        try await withApp { app in
            let first = try await app.makeAccount("huawei")
            let tenant = (first.tenantID.uuidString.lowercased(), first.key)
            let second = try await app.makeAccount("huawei", tenant: tenant)
            let stranger = try await app.makeAccount("huawei")
            let names = [first.accountID: "A", second.accountID: "B", stranger.accountID: "X"]
            let folder = OutcomeCountFolder(
                repository: PostgresOutcomeCountRepository(database: Database(pool: app.pool)),
                logger: Logger(label: "test"),
                batch: 3
            )
            let statuses = ["queued", "submitted", "sent", "unknown", "delivered", "undelivered", "failed", "expired"]
            var seeded: [AppHarness.SeededMessage] = []
            // Quarter hours apart over three UTC days, on both accounts; the stranger's on the same days.
            for index in 0..<9 {
                let at = "2026-11-0\(1 + index / 3)T\(10 + index):\(index % 4 * 15 + 7):00Z"
                let recipients = (0..<(2 + index % 3)).map { n in
                    ("1380000\(index)\(n)00", "+861380000\(index)\(n)00", statuses[(index + n) % statuses.count])
                }
                seeded.append(try await app.seedMessage(index % 2 == 0 ? first : second, at: at, recipients: recipients))
                try await app.seedMessage(stranger, at: at, recipients: [("13900000000", "+8613900000000", "delivered")])
            }
            let range = "to=2026-11-03&days=3"
            func expected() async throws -> [String] {
                try await self.counted(app, tenantID: first.tenantID, from: "2026-11-01T00:00:00Z", to: "2026-11-04T00:00:00Z", accounts: names)
            }
            let sent = try await expected()
            #expect(sent.count == 6)
            // Nothing folded yet: the summary is the queue alone.
            #expect(try await self.summary(app, first.key, range, accounts: names) == sent)
            #expect(try await folder.runOnce() > 0)
            #expect(try await self.superuser(app, "SELECT count(*) AS n FROM recipient_outcome_changes").first!.decode("n", as: Int.self) == 0)
            #expect(try await self.summary(app, first.key, range, accounts: names) == sent)

            // Reports move recipients between outcomes; an update that moves none queues nothing.
            _ = try await self.superuser(
                app,
                "UPDATE message_recipients SET status = 'delivered' WHERE tenant_id = \(first.tenantID) AND status IN ('submitted', 'sent')"
            )
            _ = try await self.superuser(
                app,
                "UPDATE message_recipients SET status = 'expired' WHERE tenant_id = \(first.tenantID) AND status IN ('queued', 'unknown')"
            )
            _ = try await self.superuser(app, "UPDATE message_recipients SET status_code = 'DELIVRD' WHERE tenant_id = \(first.tenantID)")
            let reported = try await expected()
            #expect(reported != sent)
            #expect(try await self.summary(app, first.key, range, accounts: names) == reported)
            #expect(try await folder.runOnce() > 0)
            #expect(try await self.summary(app, first.key, range, accounts: names) == reported)

            // Removing a message's recipients (as retention does) takes them out, and a quarter hour
            // left with nothing is not kept as a row of zeros.
            let removed = seeded[4]
            _ = try await self.superuser(app, "DELETE FROM message_recipients WHERE tenant_id = \(first.tenantID) AND message_id = \(removed.id)")
            let afterRemoval = try await expected()
            #expect(try await self.summary(app, first.key, range, accounts: names) == afterRemoval)
            #expect(try await folder.runOnce() > 0)
            #expect(try await self.summary(app, first.key, range, accounts: names) == afterRemoval)
            let empty = try await self.superuser(
                app,
                "SELECT count(*) AS n FROM recipient_outcome_counts WHERE delivered = 0 AND failed = 0 AND pending = 0"
            )
            #expect(try empty.first!.decode("n", as: Int.self) == 0)
            #expect(
                try await self.superuser(app, "SELECT count(*) AS n FROM recipient_outcome_counts WHERE tenant_id = \(first.tenantID)")
                    .first!.decode("n", as: Int.self) == 8
            )

            // The other tenant sees its own recipients only.
            #expect(
                try await self.summary(app, stranger.key, range, accounts: names) == [
                    "2026-11-01 X 3 3 0 0", "2026-11-02 X 3 3 0 0", "2026-11-03 X 3 3 0 0",
                ]
            )
        }
    }

    /// Writers and folds at once: every change is counted exactly once, whichever side of a fold it
    /// committed on, and the summary read in the middle of it all is never off by a fold.
    @Test func foldsConcurrentWithWritesLoseAndDoubleNothing() async throws {
        try await withApp { app in
            let account = try await app.makeAccount("huawei")
            let names = [account.accountID: "A"]
            var seeded: [UUID] = []
            for index in 0..<8 {
                let recipients = (0..<25).map { n in
                    ("138\(index)\(String(format: "%07d", n))", "+86138\(index)\(String(format: "%07d", n))", "submitted")
                }
                seeded += try await app.seedMessage(account, at: "2026-11-01T0\(index):10:00Z", recipients: recipients).recipients
            }
            let folder = OutcomeCountFolder(
                repository: PostgresOutcomeCountRepository(database: Database(pool: app.pool)),
                logger: Logger(label: "test"),
                batch: 7
            )
            let statuses = ["delivered", "failed", "undelivered", "expired", "unknown", "sent"]
            let ids = seeded
            let summaries = try await withThrowingTaskGroup(of: [[String]].self) { tasks in
                // Four writers, each moving its own recipients through several outcomes, one statement at a time.
                for writer in 0..<4 {
                    tasks.addTask {
                        try await withPool(url: app.database.superuserURL) { pool in
                            for step in 0..<12 {
                                let mine = ids.enumerated().filter { $0.offset % 4 == writer }.map(\.element)
                                let batch = Array(mine.dropFirst(step % 5 * 10).prefix(10))
                                _ = try await pool.query(
                                    "UPDATE message_recipients SET status = \(statuses[(writer + step) % statuses.count]) WHERE id = ANY(\(batch))"
                                )
                            }
                        }
                        return []
                    }
                }
                tasks.addTask {
                    for _ in 0..<30 { try await folder.runOnce() }
                    return []
                }
                // Reads while it all runs: each must be the recipients as of some moment, so `sent` never moves.
                tasks.addTask {
                    var seen: [[String]] = []
                    for _ in 0..<15 { seen.append(try await self.summary(app, account.key, "to=2026-11-01&days=1", accounts: names)) }
                    return seen
                }
                var all: [[String]] = []
                for try await result in tasks { all += result }
                return all
            }
            #expect(!summaries.isEmpty)
            #expect(summaries.allSatisfy { $0.count == 1 && $0[0].hasPrefix("2026-11-01 A 200 ") }, "\(summaries)")
            try await folder.runOnce()
            let expected = try await self.counted(
                app,
                tenantID: account.tenantID,
                from: "2026-11-01T00:00:00Z",
                to: "2026-11-02T00:00:00Z",
                accounts: names
            )
            #expect(try await self.summary(app, account.key, "to=2026-11-01&days=1", accounts: names) == expected)
            #expect(try await self.superuser(app, "SELECT count(*) AS n FROM recipient_outcome_changes").first!.decode("n", as: Int.self) == 0)
        }
    }

    @Test func aRangeNotMadeOfQuarterHoursIsCountedFromTheRecipients() async throws {
        try await withApp { app in
            let account = try await app.makeAccount("huawei")
            // Kolkata kept Madras time in 1900, 5:21:10 ahead of UTC: its days start at 18:38:50 UTC, inside a
            // quarter hour, so the report taken at 18:40 belongs to the day although its quarter hour does not.
            try await app.seedMessage(account, at: "1900-01-01T06:00:00Z", recipients: [("13800000001", "+8613800000001", "delivered")])
            try await app.seedMessage(account, at: "1899-12-31T18:40:00Z", recipients: [("13800000002", "+8613800000002", "failed")])
            try await app.seedMessage(account, at: "1899-12-31T18:30:00Z", recipients: [("13800000003", "+8613800000003", "failed")])
            let names = [account.accountID: "A"]
            #expect(
                try await self.summary(app, account.key, "to=1900-01-01&days=1&time_zone=Asia/Kolkata", accounts: names) == [
                    "1900-01-01 A 2 1 1 0"
                ]
            )
        }
    }

    @Test func oneFoldAtATime() async throws {
        try await withApp { app in
            let account = try await app.makeAccount("huawei")
            try await app.seedMessage(account, at: "2026-11-01T10:00:00Z", recipients: [("13800000001", "+8613800000001", "delivered")])
            let repository = PostgresOutcomeCountRepository(database: Database(pool: app.pool))
            try await withPool(url: app.database.superuserURL) { pool in
                try await pool.withTransaction { session in
                    try await session.query("SELECT pg_advisory_xact_lock(7246515021)")
                    // Another fold holds the lock: this one returns at once with nothing folded.
                    #expect(try await repository.fold(limit: 100) == 0)
                }
            }
            #expect(try await repository.fold(limit: 100) == 1)
            #expect(try await repository.fold(limit: 100) == 0)
        }
    }
}
