/// DNS queries and answers for A and AAAA records (RFC 1035 §4), as bytes. The hub resolves tenant
/// host names itself, asynchronously and under deadlines, rather than in `getaddrinfo` on a few
/// blocking threads that one tenant's unanswered names could hold. An answer comes from the network:
/// it is read like any untrusted input, and only records for the name asked (or the aliases its
/// answer names on the way) are taken.
public enum DNSMessage {
    public enum RecordType: UInt16, Sendable {
        case a = 1
        case aaaa = 28
    }

    /// What an answer says about the name asked.
    public struct Answer: Sendable, Equatable {
        public enum Outcome: Sendable, Equatable {
            /// Addresses (possibly none: the name exists without records of this type).
            case addresses([IPAddress])
            /// NXDOMAIN: no such name.
            case noSuchName
            /// SERVFAIL, REFUSED and the like, or a truncated answer: ask again later.
            case temporaryFailure
        }

        public var outcome: Outcome
        /// The smallest TTL of the records taken, in seconds.
        package var ttl: UInt32?
    }

    public enum Malformed: Error, Equatable {
        case malformed(String)
    }

    /// Names compare without regard to ASCII case (RFC 4343): both sides are lowered.
    static func lowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
    }

    static let classIN: UInt16 = 1
    static let typeCNAME: UInt16 = 5

    /// The wire form of `name` (a host name of ASCII letters, digits, `-` and `_`; a trailing dot
    /// allowed), or nil when it cannot be one: an empty or over-long label, over 253 characters.
    package static func encodeName(_ name: String) -> [UInt8]? {
        var text = Array(name.utf8)
        if text.last == UInt8(ascii: ".") { text.removeLast() }
        guard !text.isEmpty, text.count <= 253 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(text.count + 2)
        for label in text.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            guard (1...63).contains(label.count) else { return nil }
            for byte in label {
                let allowed =
                    (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
                guard allowed else { return nil }
            }
            out.append(UInt8(label.count))
            out.append(contentsOf: label.map(Self.lowercased))
        }
        out.append(0)
        return out
    }

    /// A recursive query (RD set) for one name and type.
    package static func query(id: UInt16, name: String, type: RecordType) -> [UInt8]? {
        guard let encoded = encodeName(name) else { return nil }
        var out: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xff), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]
        out += encoded
        out += [UInt8(type.rawValue >> 8), UInt8(type.rawValue & 0xff), 0, UInt8(classIN)]
        return out
    }

    /// The answer to the query `query(id:name:type:)` made, or `Malformed` when `bytes` is not one:
    /// another id, not a response, another question, or records that run past the end.
    public static func parse(_ bytes: [UInt8], id: UInt16, name: String, type: RecordType) throws(Malformed) -> Answer {
        guard let asked = encodeName(name) else { throw .malformed("the name asked is not a host name") }
        var reader = Reader(bytes: bytes)
        let answerID = try reader.u16()
        let flags = try reader.u16()
        let questions = try reader.u16()
        let answers = try reader.u16()
        _ = try reader.u16()  // authority records: not read
        _ = try reader.u16()  // additional records: not read
        guard answerID == id else { throw .malformed("another query's id") }
        guard flags & 0x8000 != 0 else { throw .malformed("not a response") }
        guard (flags >> 11) & 0xf == 0 else { throw .malformed("not a standard query's response") }
        guard questions == 1 else { throw .malformed("\(questions) questions") }
        let question = try reader.name()
        guard question == asked, try reader.u16() == type.rawValue, try reader.u16() == classIN else {
            throw .malformed("an answer to another question")
        }
        // A truncated answer may have lost records: over UDP, asking again is the remedy the hub has.
        if flags & 0x0200 != 0 { return Answer(outcome: .temporaryFailure, ttl: nil) }
        switch flags & 0x000f {
        case 0: break
        case 3: return Answer(outcome: .noSuchName, ttl: nil)
        default: return Answer(outcome: .temporaryFailure, ttl: nil)
        }
        // The name asked, and every alias an answer record gives for a name already accepted.
        var names: [[UInt8]] = [asked]
        var addresses: [IPAddress] = []
        var ttl: UInt32?
        for _ in 0..<answers {
            let owner = try reader.name()
            let recordType = try reader.u16()
            let recordClass = try reader.u16()
            let recordTTL = try reader.u32()
            let length = Int(try reader.u16())
            let start = reader.offset
            guard start + length <= bytes.count else { throw .malformed("a record runs past the end") }
            defer { reader.offset = start + length }
            guard recordClass == classIN, names.contains(owner) else { continue }
            if recordType == typeCNAME {
                var alias = Reader(bytes: bytes, offset: start)
                let target = try alias.name()
                guard alias.offset <= start + length else { throw .malformed("an alias runs past its record") }
                if !names.contains(target), names.count < 16 { names.append(target) }
            } else if recordType == type.rawValue, length == (type == .a ? 4 : 16),
                let address = IPAddress(bytes: Array(bytes[start..<start + length]))
            {
                if !addresses.contains(address) { addresses.append(address) }
                ttl = min(ttl ?? recordTTL, recordTTL)
            }
        }
        return Answer(outcome: .addresses(addresses), ttl: ttl)
    }

    struct Reader {
        let bytes: [UInt8]
        var offset: Int

        init(bytes: [UInt8], offset: Int = 0) {
            self.bytes = bytes
            self.offset = offset
        }

        mutating func u16() throws(Malformed) -> UInt16 {
            guard self.offset + 2 <= self.bytes.count else { throw .malformed("truncated") }
            defer { self.offset += 2 }
            return UInt16(self.bytes[self.offset]) << 8 | UInt16(self.bytes[self.offset + 1])
        }

        mutating func u32() throws(Malformed) -> UInt32 {
            let high = try self.u16()
            return UInt32(high) << 16 | UInt32(try self.u16())
        }

        /// A name in wire form, lowercased, with compression pointers followed: each must point
        /// before the label that holds it, so a loop is impossible; at most 255 bytes in all.
        mutating func name() throws(Malformed) -> [UInt8] {
            var out: [UInt8] = []
            var cursor = self.offset
            var resumeAt: Int?
            var lowestJump = cursor
            while true {
                guard cursor < self.bytes.count else { throw .malformed("a name runs past the end") }
                let length = Int(self.bytes[cursor])
                if length == 0 {
                    out.append(0)
                    cursor += 1
                    break
                }
                switch length & 0xc0 {
                case 0xc0:
                    guard cursor + 1 < self.bytes.count else { throw .malformed("a name runs past the end") }
                    let target = (length & 0x3f) << 8 | Int(self.bytes[cursor + 1])
                    guard target < lowestJump else { throw .malformed("a compression pointer that does not point back") }
                    if resumeAt == nil { resumeAt = cursor + 2 }
                    lowestJump = target
                    cursor = target
                case 0:
                    guard cursor + 1 + length <= self.bytes.count else { throw .malformed("a label runs past the end") }
                    out.append(UInt8(length))
                    out.append(contentsOf: self.bytes[(cursor + 1)...(cursor + length)].map(DNSMessage.lowercased))
                    guard out.count < 255 else { throw .malformed("a name over 255 bytes") }
                    cursor += 1 + length
                default:
                    throw .malformed("an unknown label type")
                }
            }
            self.offset = resumeAt ?? cursor
            return out
        }
    }
}
