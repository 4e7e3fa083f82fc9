import Foundation
import Postgres
import TestSupport
import Testing

/// Every statement is prepared once per connection; these check that doing so is invisible to callers.
@Suite(.tags(.slow), .timeLimit(.minutes(10))) struct PreparedStatementTests {
    /// The server's own record of what this session has prepared.
    private func preparedCount(_ session: PGSession) async throws -> Int {
        try await session.query("SELECT count(*) AS n FROM pg_prepared_statements").first!.decode("n")
    }

    @Test func aStatementIsPreparedOnceAndReusedWithNewValues() async throws {
        try await withTestDatabase { database in
            try await PGPool.scoped(.test(url: database.ownerURL, maxConnections: 1)) { pool in
                try await pool.withSession { session in
                    let before = try await self.preparedCount(session)
                    for value in 1...5 {
                        let doubled = try await session.query("SELECT \(value) * 2 AS v").first!.decode("v", as: Int.self)
                        #expect(doubled == value * 2)
                    }
                    // Five calls of one text: one more statement (the count's own was there before).
                    #expect(try await self.preparedCount(session) == before + 1)
                    // The same text with a NULL of another type is another statement, not a type error.
                    let nothing = try await session.query("SELECT \(Optional<String>.none) IS NULL AS v").first!.decode("v", as: Bool.self)
                    #expect(nothing)
                }
            }
        }
    }

    @Test func aTableChangedUnderAStatementFailsOnceThenWorks() async throws {
        try await withTestDatabase { database in
            try await PGPool.scoped(.test(url: database.ownerURL, maxConnections: 1)) { pool in
                try await pool.withSession { session in
                    try await session.query("CREATE TABLE t (a int)")
                    try await session.query("INSERT INTO t VALUES (1)")
                    _ = try await session.query("SELECT * FROM t")
                    try await session.query("ALTER TABLE t ADD COLUMN b text DEFAULT 'x'")
                    // PostgreSQL refuses a prepared SELECT * whose columns changed; the wrapper forgets it.
                    let error = try await #require(throws: PGError.self) { try await session.query("SELECT * FROM t") }
                    #expect(error.sqlState == "0A000")
                    let row = try await session.query("SELECT * FROM t").first!
                    #expect(try row.decode("b", as: String.self) == "x")
                }
            }
        }
    }

    @Test func pastTheLimitStatementsRunUnprepared() async throws {
        try await withAppPool(maxConnections: 1) { pool, _ in
            try await pool.withSession { session in
                for value in 0..<(PGConnection.preparedStatementLimit + 20) {
                    // A distinct text each time (the value is part of the SQL, not a bind parameter).
                    let sql = "SELECT \(value) AS v"
                    let read = try await session.query(PGQuery(sql)).first!.decode("v", as: Int.self)
                    #expect(read == value)
                }
                let count = try await self.preparedCount(session)
                #expect(count == PGConnection.preparedStatementLimit)
            }
        }
    }
}
