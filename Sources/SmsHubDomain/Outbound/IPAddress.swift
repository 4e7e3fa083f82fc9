import Foundation

/// An IPv4 or IPv6 address as bytes, parsed from the strict textual forms `inet_ntop` writes (the
/// resolver's output), never from a URL: hosts are resolved first and classified afterwards, so
/// decimal, hex or octal spellings of an address meet the same checks as its usual form.
public enum IPAddress: Sendable, Hashable, CustomStringConvertible {
    case v4(UInt32)
    /// The 128 bits as two words, high first: no allocation, and no pointer for an enum tag to hide
    /// from the leak checker the fuzzers run under.
    case v6(high: UInt64, low: UInt64)

    public init?(_ text: some StringProtocol) {
        if let v4 = Self.parseV4(Substring(text)) {
            self = .v4(v4)
        } else if let v6 = Self.parseV6(Substring(text)), let address = IPAddress(bytes: v6) {
            self = address
        } else {
            return nil
        }
    }

    /// Four dotted decimal octets, no leading zeros beyond a lone `0`.
    static func parseV4(_ text: Substring) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy({ $0.isASCII && $0.isNumber }),
                part.count == 1 || part.first != "0", let octet = UInt32(part), octet <= 255
            else { return nil }
            value = value << 8 | octet
        }
        return value
    }

    static func parseV6(_ text: Substring) -> [UInt8]? {
        var text = text
        // A zone index (`fe80::1%eth0`) names an interface, not another address.
        if let percent = text.firstIndex(of: "%") { text = text[..<percent] }
        guard text.count >= 2, text.count <= 45 else { return nil }
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String, allowV4: Bool) -> [UInt16]? {
            guard !part.isEmpty else { return [] }
            var out: [UInt16] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if allowV4, index == pieces.count - 1, piece.contains(".") {
                    guard let v4 = parseV4(piece) else { return nil }
                    out += [UInt16(v4 >> 16), UInt16(v4 & 0xffff)]
                } else {
                    guard (1...4).contains(piece.count), piece.allSatisfy(\.isHexDigit), let group = UInt16(piece, radix: 16) else { return nil }
                    out.append(group)
                }
            }
            return out
        }
        var all: [UInt16]
        if halves.count == 2 {
            guard let head = groups(halves[0], allowV4: false), let tail = groups(halves[1], allowV4: true), head.count + tail.count < 8 else {
                return nil
            }
            all = head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        } else {
            guard let only = groups(halves[0], allowV4: true), only.count == 8 else { return nil }
            all = only
        }
        return all.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xff)] }
    }

    /// From the bytes of a `sockaddr_in`/`sockaddr_in6` address (4 or 16).
    package init?(bytes: [UInt8]) {
        switch bytes.count {
        case 4: self = .v4(bytes.reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
        case 16:
            let word = { (range: Range<Int>) in bytes[range].reduce(UInt64(0)) { $0 << 8 | UInt64($1) } }
            self = .v6(high: word(0..<8), low: word(8..<16))
        default: return nil
        }
    }

    /// The IPv4 address an IPv6 one carries, in the forms that reach it: mapped (`::ffff:a.b.c.d`),
    /// compatible (`::a.b.c.d`, deprecated but still routed by some stacks), NAT64 (`64:ff9b::/96`).
    /// The 16 bytes of an IPv6 address, nil for IPv4.
    package var v6Bytes: [UInt8]? {
        guard case .v6(let high, let low) = self else { return nil }
        return (0..<8).map { UInt8(truncatingIfNeeded: high >> UInt64(56 - 8 * $0)) }
            + (0..<8).map { UInt8(truncatingIfNeeded: low >> UInt64(56 - 8 * $0)) }
    }

    package var embeddedV4: UInt32? {
        guard let bytes = self.v6Bytes else { return nil }
        let prefix = bytes[0..<12]
        let v4 = bytes[12..<16].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        if prefix.elementsEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]) { return v4 }
        if prefix.allSatisfy({ $0 == 0 }), v4 > 1 { return v4 }
        if prefix.elementsEqual([0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0]) { return v4 }
        return nil
    }

    public var description: String {
        switch self {
        case .v4(let value):
            return [24, 16, 8, 0].map { String(value >> UInt32($0) & 0xff) }.joined(separator: ".")
        case .v6:
            let bytes = self.v6Bytes ?? []
            return stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }.joined(separator: ":")
        }
    }
}

/// An address block, `192.168.0.0/16` or `fc00::/7`.
public struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    public var address: IPAddress
    package var prefix: Int

    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let address = IPAddress(parts[0]) else { return nil }
        let width = if case .v4 = address { 32 } else { 128 }
        var prefix = width
        if parts.count == 2 {
            guard (1...3).contains(parts[1].count), parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), let p = Int(parts[1]), p <= width else {
                return nil
            }
            prefix = p
        }
        self.address = address
        self.prefix = prefix
    }

    public func contains(_ other: IPAddress) -> Bool {
        switch (self.address, other) {
        case (.v4(let network), .v4(let candidate)):
            guard self.prefix > 0 else { return true }
            let mask = UInt32.max << UInt32(32 - self.prefix)
            return network & mask == candidate & mask
        case (.v6, .v6):
            guard let network = self.address.v6Bytes, let candidate = other.v6Bytes else { return false }
            var remaining = self.prefix
            for index in 0..<16 where remaining > 0 {
                let bits = min(8, remaining)
                let mask = UInt8(truncatingIfNeeded: 0xff << (8 - bits))
                guard network[index] & mask == candidate[index] & mask else { return false }
                remaining -= bits
            }
            return true
        default:
            return false
        }
    }

    public var description: String { "\(self.address)/\(self.prefix)" }
}
