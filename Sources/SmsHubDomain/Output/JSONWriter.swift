import Cryptography
package import Foundation

/// JSON text written straight from typed values into bytes, with no `[String: Any]` tree between
/// (decisions 0004 and 0018).
///
/// Commas are the writer's business: every value, key, object and array knows whether it follows a
/// sibling. The caller is trusted to pair keys with values and to close what it opens.
package struct JSONWriter {
    package private(set) var bytes: [UInt8] = []
    /// Whether the next key or value follows a sibling and needs a comma first.
    private var afterValue = false

    package init(capacity: Int = 256) {
        self.bytes.reserveCapacity(capacity)
    }

    package mutating func object(_ members: (inout JSONWriter) throws -> Void) rethrows {
        self.open(UInt8(ascii: "{"))
        try members(&self)
        self.close(UInt8(ascii: "}"))
    }

    package mutating func array(_ elements: (inout JSONWriter) throws -> Void) rethrows {
        self.open(UInt8(ascii: "["))
        try elements(&self)
        self.close(UInt8(ascii: "]"))
    }

    package mutating func key(_ name: String) {
        self.separate()
        Self.quote(name, into: &self.bytes)
        self.bytes.append(UInt8(ascii: ":"))
        self.afterValue = false
    }

    package mutating func string(_ text: String) {
        self.separate()
        Self.quote(text, into: &self.bytes)
        self.afterValue = true
    }

    /// A UUID in lowercase, without going through `uuidString` (snprintf) and `lowercased()`.
    package mutating func uuid(_ id: UUID) {
        self.unescapedString { out in
            withUnsafeBytes(of: id.uuid) { raw in
                for (start, end) in [(0, 4), (4, 6), (6, 8), (8, 10), (10, 16)] {
                    if start > 0 { out.append(UInt8(ascii: "-")) }
                    Hex.append(raw[start..<end], to: &out)
                }
            }
        }
    }

    /// A string whose bytes `write` appends, promising they need no escaping (digits and punctuation).
    package mutating func unescapedString(_ write: (inout [UInt8]) -> Void) {
        self.separate()
        self.bytes.append(UInt8(ascii: "\""))
        write(&self.bytes)
        self.bytes.append(UInt8(ascii: "\""))
        self.afterValue = true
    }

    package mutating func integer(_ value: Int) {
        self.raw(String(value).utf8)
    }

    package mutating func bool(_ value: Bool) {
        self.raw((value ? "true" : "false").utf8)
    }

    package mutating func null() {
        self.raw("null".utf8)
    }

    /// Text that is JSON already (a number's digits, a stored `jsonb` value), written as it is.
    package mutating func raw(_ json: some Sequence<UInt8>) {
        self.separate()
        self.bytes.append(contentsOf: json)
        self.afterValue = true
    }

    /// `"key": "text"`, or nothing when the text is nil.
    package mutating func field(_ name: String, _ text: String?) {
        guard let text else { return }
        self.key(name)
        self.string(text)
    }

    private mutating func open(_ bracket: UInt8) {
        self.separate()
        self.bytes.append(bracket)
        self.afterValue = false
    }

    private mutating func close(_ bracket: UInt8) {
        self.bytes.append(bracket)
        self.afterValue = true
    }

    private mutating func separate() {
        if self.afterValue { self.bytes.append(UInt8(ascii: ",")) }
    }

    /// A JSON string: quotes, backslashes and control characters escaped; everything else as UTF-8,
    /// copied in runs between the bytes that need escaping.
    static func quote(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            var run = 0
            for (index, byte) in bytes.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<index]))
                run = index + 1
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), byte])
                case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
                case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
                case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
                default:
                    out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                    Hex.append(CollectionOfOne(byte), to: &out)
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run...]))
        }
        out.append(UInt8(ascii: "\""))
    }
}
