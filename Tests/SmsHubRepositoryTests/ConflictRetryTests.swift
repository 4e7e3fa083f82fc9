import Foundation
import Postgres
import TestSupport
import Testing

@testable import SmsHubRepository

/// A transaction that loses a deadlock is run again whole; one that keeps losing is reported as the
/// database being unavailable (503), never as the hub failing (500).
@Suite(.tags(.slow), .timeLimit(.minutes(10))) struct ConflictRetryTests {
    @Test func aTransactionThatLosesADeadlockIsRunAgain() async throws {
        try await withTestDatabase { database in
            try await PGPool.scoped(.test(url: database.superuserURL, maxConnections: 2)) { pool in
                try await pool.query("CREATE TABLE pair (id int PRIMARY KEY, n int NOT NULL)")
                try await pool.query("INSERT INTO pair VALUES (1, 0), (2, 0)")
                let db = Database(pool: pool)
                let attempts = CallCounter()
                let locked = CallCounter()
                // Both lock their first row, say so, wait for the other's, then want the other's row:
                // PostgreSQL fails one of them (40P01). Only the first attempts wait for each other.
                let transaction: @Sendable (Int, Int) async throws -> Void = { first, second in
                    try await db.retryingConflicts {
                        let attempt = attempts.tick()
                        try await pool.withTransaction { session in
                            try await session.query("SET LOCAL deadlock_timeout = '100ms'")
                            try await session.query("UPDATE pair SET n = n + 1 WHERE id = \(first)")
                            if attempt <= 2 {
                                locked.tick()
                                #expect(try await eventually { locked.value >= 2 }, "the other transaction locked its row")
                            }
                            try await session.query("UPDATE pair SET n = n + 1 WHERE id = \(second)")
                        }
                    }
                }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await transaction(1, 2) }
                    group.addTask { try await transaction(2, 1) }
                    try await group.waitForAll()
                }
                #expect(attempts.value == 3, "one of the two ran again")
                let counts = try await pool.query("SELECT n FROM pair ORDER BY id").rows.map { try $0.decode("n", as: Int.self) }
                #expect(counts == [2, 2], "each transaction's work counted once")
            }
        }
    }

    @Test func aConflictThatOutlastsTheRetriesIsUnavailableNotAnInternalError() async throws {
        try await withTestDatabase { database in
            try await PGPool.scoped(.test(url: database.superuserURL, maxConnections: 1)) { pool in
                let db = Database(pool: pool)
                let attempts = CallCounter()
                let error = try await #require(throws: PGError.self) {
                    try await db.retryingConflicts(attempts: 3) {
                        attempts.tick()
                        _ = try await pool.query("DO $$ BEGIN RAISE EXCEPTION 'lost' USING ERRCODE = '40001'; END $$")
                    }
                }
                #expect(attempts.value == 3)
                #expect(error.isConflict)
                #expect(DatabaseFailure.isUnavailable(error))
                // Any other error is not retried.
                let others = CallCounter()
                _ = try? await db.retryingConflicts {
                    others.tick()
                    _ = try await pool.query("SELECT 1/0")
                }
                #expect(others.value == 1)
            }
        }
    }
}
