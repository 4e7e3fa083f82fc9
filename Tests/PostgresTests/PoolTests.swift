import Foundation
import Postgres
import TestSupport
import Testing

@Suite(.tags(.slow), .timeLimit(.minutes(10))) struct PoolTests {
    @Test func exhaustionTimesOutWithAClearError() async throws {
        try await withTestDatabase { database in
            let pool = PGPool(
                configuration: PGConfiguration(
                    url: database.appURL,
                    maxConnections: 1,
                    acquireTimeout: .milliseconds(200),
                    connectTimeoutSeconds: TestTimeouts.databaseConnectSeconds
                )
            )
            let holding = AsyncStream<Void>.makeStream()
            let release = AsyncStream<Void>.makeStream()
            let holder = Task {
                try await pool.withSession { session in
                    try await session.query("SELECT 1")
                    holding.continuation.yield()
                    for await _ in release.stream { break }
                }
            }
            for await _ in holding.stream { break }
            let started = ContinuousClock.now
            let error = try await #require(throws: PGError.self) { try await pool.query("SELECT 1") }
            let waited = ContinuousClock.now - started
            #expect(error.kind == .poolTimeout)
            #expect(error.message.contains("pool size 1"))
            #expect(waited >= .milliseconds(150))
            release.continuation.yield()
            try await holder.value
            // Once released, the connection serves the next caller.
            #expect(try await pool.query("SELECT 2 AS two").first?.decode("two", as: Int.self) == 2)
            await pool.close()
        }
    }

    /// libpq never shrinks the buffer a large statement grew: the connection that sent one is replaced.
    @Test func aConnectionThatSentALargeStatementIsReplaced() async throws {
        try await withAppPool(maxConnections: 1) { pool, _ in
            func backend() async throws -> Int { try await pool.query("SELECT pg_backend_pid() AS p").first!.decode("p", as: Int.self) }
            let first = try await backend()
            let small = String(repeating: "x", count: 1000)
            #expect(try await pool.query("SELECT length(\(small)) AS n").first?.decode("n", as: Int.self) == 1000)
            #expect(try await backend() == first, "a small statement keeps its connection")
            let large = String(repeating: "x", count: PGConnection.retireAfterBytes + 1)
            #expect(try await pool.query("SELECT length(\(large)) AS n").first?.decode("n", as: Int.self) == large.utf8.count)
            #expect(try await backend() != first, "the connection that sent it was closed and another opened")
        }
    }

    @Test func waitersAreServedWhenAConnectionFreesUp() async throws {
        try await withAppPool(maxConnections: 3) { pool, _ in
            let values = try await withThrowingTaskGroup(of: Int.self) { group in
                for i in 0..<40 {
                    group.addTask {
                        try await pool.query("SELECT \(i) AS v FROM pg_sleep(0.01)").first!.decode("v", as: Int.self)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(values.sorted() == Array(0..<40))
            let stats = await pool.statistics
            #expect(stats.open <= 3)
            #expect(stats.waiting == 0)
        }
    }

    @Test func connectionLeftInATransactionIsNotReused() async throws {
        try await withAppPool(maxConnections: 1) { pool, _ in
            let firstPID = try await pool.withSession { session in
                try await session.query("BEGIN")
                return try await session.query("SELECT pg_backend_pid() AS pid").first!.decode("pid", as: Int.self)
            }
            let state = try await pool.query("SELECT pg_backend_pid() AS pid, now() = statement_timestamp() AS fresh").first!
            #expect(try state.decode("pid", as: Int.self) != firstPID)
        }
    }

    @Test func closedPoolRefusesWork() async throws {
        try await withTestDatabase { database in
            let pool = database.appPool()
            try await pool.query("SELECT 1")
            await pool.close()
            let error = try await #require(throws: PGError.self) { try await pool.query("SELECT 1") }
            #expect(error.kind == .poolClosed)
        }
    }
}

/// Restarts a server of its own, so the shared test server is never disturbed.
@Suite(.serialized, .runsAlone, .tags(.slow), .timeLimit(.minutes(10))) struct PoolRecoveryTests {
    @Test func idleConnectionsBrokenByAServerRestartAreReplaced() async throws {
        let cluster = try ScratchCluster.start()
        defer { cluster.stop() }
        let pool = PGPool(configuration: .test(url: cluster.superuserURL, maxConnections: 2))
        let before = try await pool.query("SELECT pg_backend_pid() AS pid").first!.decode("pid", as: Int.self)
        #expect(await pool.statistics.idle == 1)

        try cluster.restart()

        let row = try await pool.query("SELECT pg_backend_pid() AS pid, 41 + 1 AS answer").first!
        #expect(try row.decode("answer", as: Int.self) == 42)
        #expect(try row.decode("pid", as: Int.self) != before)
        await pool.close()
    }

    @Test func serverDownGivesConnectionErrorsThenRecovers() async throws {
        let cluster = try ScratchCluster.start()
        defer { cluster.stop() }
        let pool = PGPool(
            configuration: PGConfiguration(url: cluster.superuserURL, maxConnections: 2, connectTimeoutSeconds: TestTimeouts.databaseConnectSeconds)
        )
        try await pool.query("SELECT 1")
        cluster.stopServerOnly()
        let error = try await #require(throws: PGError.self) { try await pool.query("SELECT 1") }
        #expect(error.isConnectionFailure)
        #expect(await pool.statistics.open == 0)
        try cluster.startAgain()
        #expect(try await pool.query("SELECT 7 AS n").first?.decode("n", as: Int.self) == 7)
        await pool.close()
    }
}
