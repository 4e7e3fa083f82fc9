import Foundation
import Postgres
import TestSupport
import Testing

@Suite(.tags(.slow), .timeLimit(.minutes(10))) struct ErrorAndTransactionTests {
    @Test func uniqueViolationIsRecognisedBySQLState() async throws {
        try await withTestDatabase { database in
            try await withPool(url: database.ownerURL) { pool in
                try await pool.query("CREATE TABLE t (id int PRIMARY KEY, name text)")
                try await pool.query("INSERT INTO t VALUES (\(Int32(1)), \("a"))")
                let error = try await #require(throws: PGError.self) {
                    try await pool.query("INSERT INTO t VALUES (\(Int32(1)), \("b"))")
                }
                #expect(error.kind == .server)
                #expect(error.sqlState == SQLState.uniqueViolation)
                #expect(error.constraint == "t_pkey")
                #expect(error.detail?.contains("already exists") == true)
                #expect(!error.isConnectionFailure)
            }
        }
    }

    @Test func syntaxErrorCarriesSQLStateAndMessage() async throws {
        try await withAppPool { pool, _ in
            let error = try await #require(throws: PGError.self) { try await pool.query("SELEC 1") }
            #expect(error.sqlState == "42601")
            #expect(error.message.contains("syntax error"))
            // The connection survives a statement error and is reused.
            #expect(try await pool.query("SELECT 1 AS one").first?.decode("one", as: Int.self) == 1)
        }
    }

    @Test func transactionRollsBackOnThrownError() async throws {
        struct Boom: Error {}
        try await withTestDatabase { database in
            try await withPool(url: database.ownerURL) { pool in
                try await pool.query("CREATE TABLE t (id int)")
                await #expect(throws: Boom.self) {
                    try await pool.withTransaction { session in
                        try await session.query("INSERT INTO t VALUES (1)")
                        throw Boom()
                    }
                }
                // A server error inside the transaction rolls back the earlier statements too.
                await #expect(throws: PGError.self) {
                    try await pool.withTransaction { session in
                        try await session.query("INSERT INTO t VALUES (2)")
                        try await session.query("INSERT INTO t VALUES ('not a number')")
                    }
                }
                _ = try await pool.withTransaction { session in
                    try await session.query("INSERT INTO t VALUES (3)")
                }
                let ids = try await pool.query("SELECT coalesce(array_agg(id ORDER BY id), '{}') AS ids FROM t").first!.decode("ids", as: [Int].self)
                #expect(ids == [3])
            }
        }
    }

    @Test func transactionSettingsAreEscapedAndEndWithTheTransaction() async throws {
        try await withAppPool(maxConnections: 1) { pool, _ in
            let tricky = "it's'; SELECT pg_sleep(10); --\\ ü"
            let seen = try await pool.withTransaction(settings: [("smshub.test", tricky), ("smshub.other", "")]) { session in
                try await session.query("SELECT current_setting('smshub.test') AS a, current_setting('smshub.other') AS b").first!
                    .decode("a", as: String.self)
            }
            #expect(seen == tricky)
            // Same connection (the pool holds one), next transaction: the setting is gone.
            let after = try await pool.query("SELECT coalesce(current_setting('smshub.test', true), '') AS a").first!.decode("a", as: String.self)
            #expect(after == "")
            await #expect(throws: PGError.self) {
                try await pool.withTransaction(settings: [("smshub.test", "a\u{0}b")]) { _ in }
            }
        }
    }

    @Test func connectionErrorsDoNotLeakPasswords() async throws {
        let pool = PGPool(
            configuration: PGConfiguration(url: "postgresql://someone:hunter2-secret@127.0.0.1:1/db", maxConnections: 1, connectTimeoutSeconds: 2)
        )
        let error = try await #require(throws: PGError.self) { try await pool.query("SELECT 1") }
        await pool.close()
        #expect(error.kind == .connection)
        #expect(error.isConnectionFailure)
        #expect(!error.description.contains("hunter2-secret"))
        // A failed connect gives its slot back: the pool is not left thinking it is full.
        #expect(await pool.statistics.open == 0)
    }
}
