package import Foundation

/// A Swift value that can be sent as a bind parameter.
package protocol PGEncodable: Sendable {
    static var pgType: PGType { get }
    var pgData: PGData { get }
}

/// A Swift value that can be read from a result column (results arrive in PostgreSQL's text format).
package protocol PGDecodable {
    static func pgDecode(text: Substring) throws -> Self
}

/// A value usable as an element of a one-dimensional PostgreSQL array.
package protocol PGArrayElement: PGEncodable, PGDecodable {
    static var pgArrayType: PGType { get }
    /// The element as it appears in an array literal, before quoting.
    var pgArrayText: String { get }
    /// Writes the element into an array literal being built (quoted `pgArrayText` unless the type
    /// knows its text needs no quotes).
    func appendPGArrayElement(to out: inout [UInt8])
}

extension PGArrayElement {
    package var pgArrayText: String {
        String(decoding: self.pgData.bytes ?? [], as: UTF8.self)
    }

    package func appendPGArrayElement(to out: inout [UInt8]) {
        PGArrayLiteral.appendQuoted(self.pgArrayText, to: &out)
    }
}

func decodingError<T>(_ type: T.Type, _ text: Substring) -> PGError {
    // The offending text is left out on purpose: columns may hold personal data.
    PGError(kind: .decoding, message: "cannot decode \(T.self) from a \(text.utf8.count)-byte value")
}

extension String: PGArrayElement {
    package static var pgType: PGType { .text }
    package static var pgArrayType: PGType { .textArray }
    package var pgData: PGData { .text(.text, self) }
    package var pgArrayText: String { self }
    package static func pgDecode(text: Substring) throws -> String { String(text) }
}

extension Int: PGArrayElement {
    package static var pgType: PGType { .int8 }
    package static var pgArrayType: PGType { .int8Array }
    package var pgData: PGData { .text(.int8, String(self)) }
    package static func pgDecode(text: Substring) throws -> Int {
        guard let value = Int(text) else { throw decodingError(Int.self, text) }
        return value
    }
}

extension Int64: PGArrayElement {
    package static var pgType: PGType { .int8 }
    package static var pgArrayType: PGType { .int8Array }
    package var pgData: PGData { .text(.int8, String(self)) }
    package static func pgDecode(text: Substring) throws -> Int64 {
        guard let value = Int64(text) else { throw decodingError(Int64.self, text) }
        return value
    }
}

extension Int32: PGArrayElement {
    package static var pgType: PGType { .int4 }
    package static var pgArrayType: PGType { .int4Array }
    package var pgData: PGData { .text(.int4, String(self)) }
    package static func pgDecode(text: Substring) throws -> Int32 {
        guard let value = Int32(text) else { throw decodingError(Int32.self, text) }
        return value
    }
}

extension Int16: PGArrayElement {
    package static var pgType: PGType { .int2 }
    package static var pgArrayType: PGType { .int2Array }
    package var pgData: PGData { .text(.int2, String(self)) }
    package static func pgDecode(text: Substring) throws -> Int16 {
        guard let value = Int16(text) else { throw decodingError(Int16.self, text) }
        return value
    }
}

extension Bool: PGArrayElement {
    package static var pgType: PGType { .bool }
    package static var pgArrayType: PGType { .boolArray }
    package var pgData: PGData { .text(.bool, self ? "t" : "f") }
    package static func pgDecode(text: Substring) throws -> Bool {
        switch text {
        case "t", "true": return true
        case "f", "false": return false
        default: throw decodingError(Bool.self, text)
        }
    }
}

extension Double: PGArrayElement {
    package static var pgType: PGType { .float8 }
    package static var pgArrayType: PGType { .float8Array }
    package var pgData: PGData {
        let text: String =
            if self.isNaN { "NaN" } else if self == .infinity { "Infinity" } else if self == -.infinity { "-Infinity" } else { String(self) }
        return .text(.float8, text)
    }
    package static func pgDecode(text: Substring) throws -> Double {
        switch text {
        case "NaN": return .nan
        case "Infinity": return .infinity
        case "-Infinity": return -.infinity
        default:
            guard let value = Double(text) else { throw decodingError(Double.self, text) }
            return value
        }
    }
}

extension Decimal: PGArrayElement {
    package static var pgType: PGType { .numeric }
    package static var pgArrayType: PGType { .numericArray }
    package var pgData: PGData { .text(.numeric, self.description) }
    package static func pgDecode(text: Substring) throws -> Decimal {
        guard let value = Decimal(string: String(text), locale: Locale(identifier: "en_US_POSIX")), !value.isNaN else {
            throw decodingError(Decimal.self, text)
        }
        return value
    }
}

extension UUID: PGArrayElement {
    package static var pgType: PGType { .uuid }
    package static var pgArrayType: PGType { .uuidArray }
    package var pgData: PGData { PGData(type: .uuid, bytes: self.lowercaseBytes) }
    package var pgArrayText: String { String(decoding: self.lowercaseBytes, as: UTF8.self) }
    /// Hex digits and dashes need no quotes.
    package func appendPGArrayElement(to out: inout [UInt8]) { self.appendLowercase(to: &out) }

    /// The canonical lowercase text, written directly: `uuidString` formats through snprintf and
    /// `lowercased()` copies again, and every row written binds a few of these.
    var lowercaseBytes: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(36)
        self.appendLowercase(to: &out)
        return out
    }

    func appendLowercase(to out: inout [UInt8]) {
        let hex: StaticString = "0123456789abcdef"
        withUnsafeBytes(of: self.uuid) { raw in
            hex.withUTF8Buffer { digits in
                for (index, byte) in raw.enumerated() {
                    if index == 4 || index == 6 || index == 8 || index == 10 { out.append(UInt8(ascii: "-")) }
                    out.append(digits[Int(byte >> 4)])
                    out.append(digits[Int(byte & 0x0F)])
                }
            }
        }
    }
    /// PostgreSQL writes uuids one way (lowercase, dashed); read directly, since `UUID(uuidString:)`
    /// goes through sscanf and every row read carries a few.
    package static func pgDecode(text: Substring) throws -> UUID {
        guard let value = Self.parseCanonical(text.utf8) else { throw decodingError(UUID.self, text) }
        return value
    }

    static func parseCanonical(_ text: Substring.UTF8View) -> UUID? {
        guard text.count == 36 else { return nil }
        var bytes = [UInt8](repeating: 0, count: 16)
        var index = 0
        var high: UInt8?
        for (position, character) in text.enumerated() {
            if position == 8 || position == 13 || position == 18 || position == 23 {
                guard character == UInt8(ascii: "-") else { return nil }
                continue
            }
            let nibble: UInt8
            switch character {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = character - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = character - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = character - UInt8(ascii: "A") + 10
            default: return nil
            }
            if let first = high {
                bytes[index] = first << 4 | nibble
                index += 1
                high = nil
            } else {
                high = nibble
            }
        }
        guard index == 16 else { return nil }
        return UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            )
        )
    }
}

extension Date: PGArrayElement {
    package static var pgType: PGType { .timestamptz }
    package static var pgArrayType: PGType { .timestamptzArray }
    package var pgData: PGData { .text(.timestamptz, PGTimestamp.format(self)) }
    package static func pgDecode(text: Substring) throws -> Date {
        guard let value = PGTimestamp.parse(text) else { throw decodingError(Date.self, text) }
        return value
    }
}

/// `bytea`. Sent in binary format so the bytes need no escaping; read back from the hex text format.
package struct PGBytes: PGArrayElement, Hashable {
    package var bytes: [UInt8]
    package init(_ bytes: [UInt8]) { self.bytes = bytes }

    package static var pgType: PGType { .bytea }
    package static var pgArrayType: PGType { .byteaArray }
    package var pgData: PGData { PGData(type: .bytea, format: .binary, bytes: self.bytes) }
    package var pgArrayText: String { "\\x" + PGHex.encode(self.bytes) }

    package static func pgDecode(text: Substring) throws -> PGBytes {
        guard text.hasPrefix("\\x"), let bytes = PGHex.decode(text.dropFirst(2)) else {
            throw decodingError(PGBytes.self, text)
        }
        return PGBytes(bytes)
    }
}

/// `jsonb`, carried as its JSON text so callers choose how (and whether) to decode it.
package struct PGJSON: PGArrayElement, Hashable {
    package var text: String
    package init(text: String) { self.text = text }

    package init(encoding value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        self.text = String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    package func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(self.text.utf8))
    }

    package static var pgType: PGType { .jsonb }
    package static var pgArrayType: PGType { .jsonbArray }
    package var pgData: PGData { .text(.jsonb, self.text) }
    package var pgArrayText: String { self.text }
    package static func pgDecode(text: Substring) throws -> PGJSON { PGJSON(text: String(text)) }
}

extension Optional: PGDecodable where Wrapped: PGDecodable {
    /// Only reached for non-NULL cells; NULL is handled before decoding.
    package static func pgDecode(text: Substring) throws -> Wrapped? {
        try Wrapped.pgDecode(text: text)
    }
}

extension Array: PGEncodable where Element: PGArrayElement {
    package static var pgType: PGType { Element.pgArrayType }
    package var pgData: PGData { PGData(type: Element.pgArrayType, bytes: PGArrayLiteral.encode(self.lazy.map { Optional($0) })) }
}

extension Array: PGDecodable where Element: PGDecodable {
    package static func pgDecode(text: Substring) throws -> [Element] {
        guard let items = PGArrayLiteral.decode(text) else { throw decodingError([Element].self, text) }
        return try items.map { item in
            guard let item else {
                throw PGError(kind: .decoding, message: "NULL element in array of non-optional \(Element.self)")
            }
            return try Element.pgDecode(text: Substring(item))
        }
    }
}

enum PGHex {
    private static let digits = Array("0123456789abcdef".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xf)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func decode(_ text: Substring) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count / 2)
        var i = 0
        while i < utf8.count {
            guard let hi = nibble(utf8[i]), let lo = nibble(utf8[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: c - 48
        case 97...102: c - 87
        case 65...70: c - 55
        default: nil
        }
    }
}
