import Foundation
import Postgres
import TestSupport
import Testing

@Suite(.tags(.slow), .timeLimit(.minutes(10))) struct QueryCompositionTests {
    @Test func fragmentsKeepTheirBindsInOrder() async throws {
        let a: PGQuery = "x = \(1)"
        let b: PGQuery = "y = \("two") AND z = \(3)"
        let joined = PGQuery.joined([a, b, "true"], separator: " AND ")
        #expect(joined.sql == "x = $1 AND y = $2 AND z = $3 AND true")
        let nested: PGQuery = "SELECT \(10) AS first WHERE \(fragment: joined) AND w = \(4)"
        #expect(nested.sql == "SELECT $1 AS first WHERE x = $2 AND y = $3 AND z = $4 AND true AND w = $5")
        #expect(nested.binds.count == 5)
        // Placeholders past $9 renumber by value, not digit by digit.
        let many = PGQuery.joined((1...12).map { "\(unescaped: "c\($0)") = \($0)" as PGQuery }, separator: ", ")
        #expect(many.sql.hasSuffix("c11 = $11, c12 = $12"))
        #expect(PGQuery.joined([], separator: ",").sql.isEmpty)
    }

    @Test func composedQueriesRunWithTheRightValues() async throws {
        try await withAppPool { pool, _ in
            let conditions: [PGQuery] = ["v.n > \(2)", "v.s <> \("c")", "v.n < \(6)"]
            let rows = try await pool.query(
                """
                SELECT v.n FROM (VALUES (1, 'a'), (3, 'b'), (4, 'c'), (5, 'd'), (7, 'e')) AS v(n, s)
                WHERE \(fragment: PGQuery.joined(conditions, separator: " AND ")) ORDER BY v.n LIMIT \(10)
                """
            ).rows
            #expect(try rows.map { try $0.decode("n", as: Int.self) } == [3, 5])
        }
    }
}
