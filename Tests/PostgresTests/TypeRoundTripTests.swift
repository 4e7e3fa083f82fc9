import Foundation
import Postgres
import TestSupport
import Testing

@Suite(.tags(.slow), .timeLimit(.minutes(10))) struct TypeRoundTripTests {
    @Test func uuidsAreBoundAsTheirCanonicalLowercaseText() {
        for _ in 0..<100 {
            let id = UUID()
            #expect(id.pgArrayText == id.uuidString.lowercased())
            #expect(id.pgData.bytes == Array(id.uuidString.lowercased().utf8))
        }
    }

    @Test func uuidTextIsReadAsFoundationReadsIt() throws {
        for _ in 0..<100 {
            let id = UUID()
            #expect(try UUID.pgDecode(text: Substring(id.pgArrayText)) == id)
            #expect(try UUID.pgDecode(text: Substring(id.uuidString)) == id)
        }
        let good = "0123abcd-4567-89ef-ABCD-0123456789ef"
        #expect(try UUID.pgDecode(text: Substring(good)) == UUID(uuidString: good))
        // Wrong length, a dash out of place, a character that is not hex, truncated, one too many.
        for bad in [
            "", "0123abcd", "0123abcd-4567-89ef-abcd-0123456789e", "0123abcd-4567-89ef-abcd-0123456789eff",
            "0123abcd4-567-89ef-abcd-0123456789ef", "0123abcd-4567-89ef-abcd-0123456789eg", "0123abcd-4567-89ef-abcd+0123456789ef",
            "{123abcd-4567-89ef-abcd-0123456789e}", "0123abcd-4567-89ef-abcd-0123456789é",
        ] {
            #expect(throws: PGError.self) { try UUID.pgDecode(text: Substring(bad)) }
            #expect(UUID(uuidString: bad) == nil)
        }
    }

    @Test func scalarsRoundTrip() async throws {
        try await withAppPool { pool, _ in
            let id = UUID()
            let when = Date(timeIntervalSince1970: 1_679_392_394.061_123)
            let amount = Decimal(string: "200000.1234567890123456789")!
            let row = try await pool.query(
                """
                SELECT \("héllo 短信 🚀")::text AS t, \(Int.max)::int8 AS i8, \(Int32.min)::int4 AS i4, \(Int16(-7))::int2 AS i2,
                       \(true)::bool AS b, \(1.5e-7)::float8 AS f, \(amount)::numeric AS n, \(when)::timestamptz AS ts,
                       \(id)::uuid AS u
                """
            ).first!
            #expect(try row.decode("t", as: String.self) == "héllo 短信 🚀")
            #expect(try row.decode("i8", as: Int.self) == Int.max)
            #expect(try row.decode("i4", as: Int32.self) == Int32.min)
            #expect(try row.decode("i2", as: Int16.self) == -7)
            #expect(try row.decode("b", as: Bool.self) == true)
            #expect(try row.decode("f", as: Double.self) == 1.5e-7)
            #expect(try row.decode("n", as: Decimal.self) == amount)
            #expect(abs(try row.decode("ts", as: Date.self).timeIntervalSince(when)) < 0.000_001)
            #expect(try row.decode("u", as: UUID.self) == id)
        }
    }

    @Test func nullsDecodeAsNilAndRejectNonOptionals() async throws {
        try await withAppPool { pool, _ in
            let none: String? = nil
            let noDate: Date? = nil
            let row = try await pool.query("SELECT \(none)::text AS t, \(noDate) AS d, NULL::int8 AS i").first!
            #expect(try row.decode("t", as: String?.self) == nil)
            #expect(try row.decode("d", as: Date?.self) == nil)
            #expect(try row.isNull("i"))
            #expect(throws: PGError.self) { try row.decode("i", as: Int.self) }
        }
    }

    @Test func byteaAndJSONB() async throws {
        try await withAppPool { pool, _ in
            let bytes = PGBytes([0, 1, 2, 0x5c, 0x27, 0xff, 0x00])
            let json = PGJSON(text: #"{"a": [1, "二", null], "b": {"c": true}}"#)
            let row = try await pool.query(
                "SELECT \(bytes) AS raw, octet_length(\(bytes)) AS len, \(json) AS doc, \(json)->'b'->>'c' AS c, \(PGBytes([])) AS empty"
            ).first!
            #expect(try row.decode("raw", as: PGBytes.self) == bytes)
            #expect(try row.decode("len", as: Int.self) == 7)
            #expect(try row.decode("c", as: String.self) == "true")
            #expect(try row.decode("empty", as: PGBytes.self) == PGBytes([]))
            struct Doc: Decodable, Equatable { var b: [String: Bool] }
            #expect(try row.decode("doc", as: PGJSON.self).decode(Doc.self) == Doc(b: ["c": true]))
        }
    }

    @Test func arrays() async throws {
        try await withAppPool { pool, _ in
            let strings = ["plain", "with space", "quote\"d", "back\\slash", "comma,here", "NULL", "", "{brace}", "中文"]
            let ids = [UUID(), UUID()]
            let row = try await pool.query(
                """
                SELECT \(strings)::text[] AS s, cardinality(\(strings)::text[]) AS n, \([1, -2, 3])::int8[] AS i,
                       \(ids)::uuid[] AS u, ARRAY[]::text[] AS e, ARRAY['a', NULL] AS withnull,
                       \([true, false]) AS b, \(PGArray<UUID>([ids[0], nil, ids[1]])) = ARRAY[\(ids[0]), NULL, \(ids[1])]::uuid[] AS nullable,
                       \(PGArray<String>([nil, "quote\"d", "NULL"])) = ARRAY[NULL, 'quote"d', 'NULL'] AS nullabletext
                """
            ).first!
            #expect(try row.decode("s", as: [String].self) == strings)
            #expect(try row.decode("n", as: Int.self) == strings.count)
            #expect(try row.decode("i", as: [Int].self) == [1, -2, 3])
            #expect(try row.decode("u", as: [UUID].self) == ids)
            #expect(try row.decode("e", as: [String].self) == [])
            #expect(try row.decode("b", as: [Bool].self) == [true, false])
            #expect(try row.decode("nullable", as: Bool.self), "NULL elements stay NULL; ids need no quotes")
            #expect(try row.decode("nullabletext", as: Bool.self), "NULL, and the text NULL, quoted")
            #expect(throws: PGError.self) { try row.decode("withnull", as: [String].self) }
        }
    }

    @Test func timestampsKeepMicrosecondsAndTimeZones() async throws {
        try await withAppPool { pool, _ in
            let row = try await pool.query(
                """
                SELECT '2023-03-21 16:55:25.123456+08'::timestamptz AS a, '1999-12-31 23:59:59Z'::timestamptz AS b,
                       'infinity'::timestamptz AS c
                """
            ).first!
            #expect(try row.decode("a", as: Date.self) == Date(timeIntervalSince1970: 1_679_388_925.123_456))
            #expect(try row.decode("b", as: Date.self) == Date(timeIntervalSince1970: 946_684_799))
            #expect(try row.decode("c", as: Date.self) == .distantFuture)
        }
    }

    @Test func textWithNULCharacterIsRefusedBeforeSending() async throws {
        try await withAppPool { pool, _ in
            // PostgreSQL text cannot hold U+0000, and libpq would cut the value at the NUL: refused
            // before sending rather than stored shortened. Bound as bytea the same bytes survive.
            let error = try await #require(throws: PGError.self) { try await pool.query("SELECT \("a\u{0}b")::text AS t") }
            #expect(error.kind == .invalidParameter)
            let row = try await pool.query("SELECT \(PGBytes(Array("a\u{0}b".utf8))) AS b").first!
            #expect(try row.decode("b", as: PGBytes.self).bytes == [0x61, 0, 0x62])
        }
    }

    @Test func decodingErrorsNameTheColumnButNotTheValue() async throws {
        try await withAppPool { pool, _ in
            let row = try await pool.query("SELECT 'secret-value'::text AS t").first!
            let error = try #require(throws: PGError.self) { try row.decode("t", as: Int.self) }
            #expect(error.kind == .decoding)
            #expect(error.description.contains("\"t\""))
            #expect(!error.description.contains("secret-value"))
            #expect(throws: PGError.self) { try row.decode("missing", as: String.self) }
        }
    }
}
