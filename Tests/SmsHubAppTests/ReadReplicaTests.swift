import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Postgres
import TestSupport
import Testing

@testable import SmsHubApp
@testable import SmsHubRepository

/// Lists and the daily summary read from a streaming standby of the test's own cluster while it is
/// fresh, and from the primary when it falls behind or goes away; one resource by id always reads the
/// primary. Replay on the standby is paused to tell the two apart: what the standby has not replayed
/// is missing from a list served by it.
@Suite(.serialized, .runsAlone, .tags(.slow), .timeLimit(.minutes(10))) struct ReadReplicaTests {
    @Test func listsReadFromAFreshStandbyAndFallBackToThePrimary() async throws {
        let cluster = try ScratchCluster.start()
        defer { cluster.stop() }
        let (database, migrator) = try await cluster.serviceDatabase()
        let standby = try cluster.startStandby()
        defer { standby.stop() }
        let replica = TestDatabase(name: "smshub", on: standby)

        try await PGPool.scoped(.test(url: database.appURL, maxConnections: 4)) { pool in
            try await PGPool.scoped(PGConfiguration(url: replica.appURL, maxConnections: 2, connectTimeoutSeconds: 2)) { replicaPool in
                try await PGPool.scoped(.test(url: replica.superuserURL, maxConnections: 1)) { standbyAdmin in
                    // Staleness is measured on a clock the test moves: only the tolerance's edge is its subject.
                    let clock = ManualClock()
                    let reads = ReadRouting(
                        primary: Database(pool: pool),
                        replica: Database(pool: replicaPool),
                        maxLag: .seconds(6),
                        clock: clock.monotonic
                    )
                    let dependencies = Repositories(database: Database(pool: pool), migrator: migrator, reads: reads)
                    try await withLiveRoutes(dependencies, database: database, pool: pool) { harness in
                        let account = try await SendMessageTests().gatewayAccount(harness)
                        func send() async throws -> String {
                            let reply = try await harness.request(
                                .post,
                                "/v1/messages",
                                bearer: account.key,
                                json: #"{"recipients":["13800000001"],"content":"【Acme】hi"}"#
                            )
                            #expect(reply.status == .accepted, "\(reply.text)")
                            return try #require(reply.json["id"] as? String)
                        }
                        func listed() async throws -> Set<String> {
                            let list = try await harness.request(.get, "/v1/messages", bearer: account.key)
                            #expect(list.status == .ok, "\(list.text)")
                            return Set((list.json["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
                        }
                        func summarised() async throws -> Int {
                            let summary = try await harness.request(.get, "/v1/summary/daily", bearer: account.key)
                            #expect(summary.status == .ok, "\(summary.text)")
                            return (summary.json["items"] as? [[String: Any]] ?? []).compactMap { $0["sent"] as? Int }.reduce(0, +)
                        }
                        /// Waits until the standby has replayed everything the primary has written so far
                        /// (a fresh check alone may only mean it reached an earlier note), then checks.
                        func caughtUp() async throws {
                            let written = try await pool.query("SELECT pg_current_wal_lsn()::text AS lsn").first!.decode("lsn", as: String.self)
                            let caught = try await eventually(every: .milliseconds(100)) {
                                let replayed = try await standbyAdmin.query(
                                    "SELECT pg_last_wal_replay_lsn() >= \(written)::pg_lsn AS done"
                                ).first?.decode("done", as: Bool.self)
                                guard replayed == true, case .fresh = await reads.check() else { return false }
                                return true
                            }
                            if !caught { Issue.record("the standby did not catch up") }
                        }

                        #expect(await reads.check() != .noReplica)
                        let first = try await send()
                        try await caughtUp()
                        #expect(reads.status.usingReplica)
                        #expect(try await listed() == [first])

                        // Replay paused: the standby stops at the first message. Within the 6 s
                        // tolerance the list still reads it there and misses the second; the
                        // message itself reads the primary.
                        try await standbyAdmin.query("SELECT pg_wal_replay_pause()")
                        let second = try await send()
                        guard case .fresh = await reads.check() else {
                            Issue.record("a standby just paused is within the tolerance")
                            return
                        }
                        #expect(try await listed() == [first], "the list came from the standby")
                        #expect(try await summarised() == 1, "so did the summary")
                        #expect(try await harness.request(.get, "/v1/messages/\(second)", bearer: account.key).status == .ok)

                        // Past the tolerance, reads go to the primary.
                        clock.advance(by: .milliseconds(6001))
                        guard case .behind = await reads.check() else {
                            Issue.record("a standby paused for longer than the tolerance is behind")
                            return
                        }
                        #expect(try await listed() == [first, second])
                        #expect(try await summarised() == 2)

                        // Resumed, the standby catches up and serves the lists again.
                        try await standbyAdmin.query("SELECT pg_wal_replay_resume()")
                        try await caughtUp()
                        #expect(try await listed() == [first, second])

                        // A role that could read across tenants is never read through: altered while
                        // connected (the standby replays the ALTER), the next check sends lists to the
                        // primary; and a new connection on such a role is refused before any query.
                        try await PGPool.scoped(.test(url: database.superuserURL, maxConnections: 1)) { primaryAdmin in
                            try await primaryAdmin.query("ALTER ROLE smshub_app BYPASSRLS")
                            let refused = try await eventually(every: .milliseconds(100)) {
                                guard case .unsafeRole(let problems) = await reads.check() else { return false }
                                return problems.contains { $0.contains("BYPASSRLS") }
                            }
                            #expect(refused, "the altered role was noticed")
                            #expect(!reads.status.usingReplica)
                            let fourth = try await send()
                            #expect(try await listed() == [first, second, fourth])
                            try await primaryAdmin.query("ALTER ROLE smshub_app NOBYPASSRLS")
                        }
                        try await caughtUp()
                        let superuserReplica = Database.connect(
                            url: replica.superuserURL,
                            maxConnections: 1,
                            statementTimeout: .seconds(5),
                            logger: Logger(label: "test.replica")
                        )
                        let unsafe = ReadRouting(primary: Database(pool: pool), replica: superuserReplica, maxLag: .seconds(6))
                        guard case .unsafeRole(let problems) = await unsafe.check() else {
                            Issue.record("a superuser replica was used")
                            await superuserReplica.close()
                            return
                        }
                        #expect(problems.contains { $0.contains("superuser") }, "\(problems)")
                        #expect(!unsafe.status.usingReplica)
                        await superuserReplica.close()

                        // Stopped, it is unreachable: lists read the primary, and nobody gets an error.
                        standby.stopServerOnly()
                        #expect(await reads.check() == .unreachable)
                        let third = try await send()
                        #expect(try await listed().isSuperset(of: [first, second, third]))
                    }
                }
            }
        }
    }

    @Test func walPositionsAreReadAsPostgreSQLWritesThem() {
        #expect(ReadRouting.position("0/0") == 0)
        #expect(ReadRouting.position("16/B374D848") == 0x16_B374_D848)
        #expect(ReadRouting.position("FFFFFFFF/FFFFFFFF") == UInt64.max)
        for bad in ["", "/", "16", "16/", "/B374D848", "16/B374D848/1", "G/0", "123456789/0", "0/123456789", "-1/0"] {
            #expect(ReadRouting.position(bad) == nil, "\(bad)")
        }
    }
}
