import SmsHubDomain
import Testing

/// DNS answers are network input: only records for the name asked (and the aliases on its way) are
/// taken, and anything malformed, truncated or for another question is refused.
@Suite struct DNSMessageTests {
    static func answer(
        id: UInt16 = 0x1234,
        flags: UInt16 = 0x8180,
        question: [UInt8]? = nil,
        type: UInt16 = 1,
        records: [[UInt8]]
    ) -> [UInt8] {
        let name = question ?? DNSMessage.encodeName("gw.example.test")!
        var out: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xff), UInt8(flags >> 8), UInt8(flags & 0xff), 0, 1, 0, UInt8(records.count), 0, 0, 0, 0]
        out += name + [UInt8(type >> 8), UInt8(type & 0xff), 0, 1]
        for record in records { out += record }
        return out
    }

    /// A record owned by the name at `owner` (an offset to point at, or an encoded name).
    static func record(owner: [UInt8] = [0xc0, 12], type: UInt16 = 1, ttl: UInt32 = 300, data: [UInt8]) -> [UInt8] {
        owner + [UInt8(type >> 8), UInt8(type & 0xff), 0, 1, UInt8(ttl >> 24), UInt8(ttl >> 16 & 0xff), UInt8(ttl >> 8 & 0xff), UInt8(ttl & 0xff)]
            + [UInt8(data.count >> 8), UInt8(data.count & 0xff)] + data
    }

    @Test func queriesAreEncodedAndNamesChecked() throws {
        let query = try #require(DNSMessage.query(id: 0xbeef, name: "GW.Example.test.", type: .aaaa))
        #expect(
            query == [
                0xbe, 0xef, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 2, 103, 119, 7, 101, 120, 97, 109, 112, 108, 101, 4, 116, 101, 115, 116, 0, 0, 28, 0, 1,
            ]
        )
        for bad in ["", ".", "a..b", String(repeating: "a", count: 64), String(repeating: "a.", count: 127) + "a", "a b", "ü.test", "a/b"] {
            #expect(DNSMessage.query(id: 1, name: bad, type: .a) == nil, "\(bad)")
        }
    }

    @Test func addressesOfTheNameAndItsAliasesAreTaken() throws {
        let alias = DNSMessage.encodeName("edge.cdn.test")!
        let bytes = Self.answer(records: [
            Self.record(type: 5, data: alias),
            Self.record(owner: alias, ttl: 60, data: [10, 0, 0, 1]),
            // Another name's record in the same answer: not taken.
            Self.record(owner: DNSMessage.encodeName("victim.test")!, data: [127, 0, 0, 1]),
            Self.record(owner: [0xc0, 12], ttl: 30, data: [10, 0, 0, 2]),
            // AAAA data under type A, and a class other than IN: not taken.
            Self.record(data: Array(repeating: 0, count: 16)),
        ])
        let parsed = try DNSMessage.parse(bytes, id: 0x1234, name: "gw.example.test", type: .a)
        #expect(parsed.outcome == .addresses([.v4(0x0a00_0001), .v4(0x0a00_0002)]))
        #expect(parsed.ttl == 30)
    }

    @Test func failuresAreTold() throws {
        #expect(try DNSMessage.parse(Self.answer(flags: 0x8183, records: []), id: 0x1234, name: "gw.example.test", type: .a).outcome == .noSuchName)
        #expect(
            try DNSMessage.parse(Self.answer(flags: 0x8182, records: []), id: 0x1234, name: "gw.example.test", type: .a).outcome == .temporaryFailure
        )
        let truncated = Self.answer(flags: 0x8380, records: [])
        #expect(try DNSMessage.parse(truncated, id: 0x1234, name: "gw.example.test", type: .a).outcome == .temporaryFailure)
        #expect(try DNSMessage.parse(Self.answer(records: []), id: 0x1234, name: "gw.example.test", type: .a).outcome == .addresses([]))
    }

    @Test func malformedAnswersAreRefused() throws {
        let good = Self.answer(records: [Self.record(data: [10, 0, 0, 1])])
        let cases: [(String, [UInt8], String)] = [
            ("another id", Self.answer(id: 1, records: []), "gw.example.test"),
            ("a query, not a response", Self.answer(flags: 0x0100, records: []), "gw.example.test"),
            ("another question", good, "other.example.test"),
            ("another type", Self.answer(type: 28, records: []), "gw.example.test"),
            ("a pointer forward", Self.answer(records: [Self.record(owner: [0xc0, 200], data: [1, 2, 3, 4])]), "gw.example.test"),
            ("a pointer to itself", Self.answer(records: [Self.record(owner: [0xc0, 33], data: [1, 2, 3, 4])]), "gw.example.test"),
            ("a label type of 0x40", Self.answer(records: [Self.record(owner: [0x41, 0], data: [1, 2, 3, 4])]), "gw.example.test"),
        ]
        for (why, bytes, name) in cases {
            #expect(throws: DNSMessage.Malformed.self, "\(why)") { try DNSMessage.parse(bytes, id: 0x1234, name: name, type: .a) }
        }
        for cut in 0..<good.count {
            #expect(throws: DNSMessage.Malformed.self, "cut at \(cut)") {
                try DNSMessage.parse(Array(good.prefix(cut)), id: 0x1234, name: "gw.example.test", type: .a)
            }
        }
        // A record whose length runs past the end.
        var long = good
        long[long.count - 5] = 9
        #expect(throws: DNSMessage.Malformed.self) { try DNSMessage.parse(long, id: 0x1234, name: "gw.example.test", type: .a) }
    }
}
