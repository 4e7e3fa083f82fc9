import Foundation

/// A phone number as the provider wrote it, plus one E.164 form for matching and filtering
/// (docs/providers.md §5). Masked numbers (`138****5678`) have no E.164 form.
public struct PhoneNumber: Sendable, Equatable, Hashable {
    public var raw: String
    public var e164: String?

    package static let maxRawLength = 32

    package init(raw: String, e164: String?) {
        self.raw = raw
        self.e164 = e164
    }

    /// A number as a client writes it to the API (send requests, filters): an optional `+` or `00`, then 7
    /// to 15 digits, the first not 0, with at most two of space, `(`, `)` or `-` between two digits, and
    /// spaces around. The same rule as openapi.yaml's pattern `^ *(?:\+|00)?[1-9](?:[ ()-]{0,2}[0-9]){6,14} *$`;
    /// nil otherwise, or when it has no E.164 form.
    ///
    /// Read as UTF-8 bytes (the rule is ASCII only): a send checks up to 10,000 of these (decision 0018).
    public static func written(_ text: String) -> PhoneNumber? {
        withUTF8(text) { all in
            // Spaces around the number are allowed, as people paste them.
            var start = 0
            var end = all.count
            while start < end, all[start] == UInt8(ascii: " ") { start += 1 }
            while end > start, all[end - 1] == UInt8(ascii: " ") { end -= 1 }
            let bytes = UnsafeBufferPointer(rebasing: all[start..<end])
            func isDigit(_ index: Int) -> Bool { index < bytes.count && ASCIIDigits.isDigit(bytes[index]) }
            var index = 0
            if bytes.first == UInt8(ascii: "+") {
                index = 1
            } else if bytes.count >= 2, bytes[0] == UInt8(ascii: "0"), bytes[1] == UInt8(ascii: "0") {
                index = 2
            }
            guard isDigit(index), bytes[index] != UInt8(ascii: "0") else { return nil }
            var digits = 1
            index += 1
            while index < bytes.count {
                var separators = 0
                while index < bytes.count, isSeparator(bytes[index]) {
                    separators += 1
                    index += 1
                }
                guard separators <= 2, isDigit(index) else { return nil }
                digits += 1
                index += 1
            }
            guard (7...15).contains(digits) else { return nil }
            let raw = bytes.count == all.count ? text : String(decoding: bytes, as: UTF8.self)
            guard let number = parse(raw: raw, bytes), number.e164 != nil else { return nil }
            return number
        }
    }

    /// nil when the text cannot be a phone number at all (empty, too long, letters).
    public static func parse(_ text: String) -> PhoneNumber? {
        // Blanks around it are rare: only then is it worth Foundation's idea of whitespace.
        let raw =
            withUTF8(text) { $0.first.map(isPlainASCII) == true && $0.last.map(isPlainASCII) == true }
            ? text : text.trimmingCharacters(in: .whitespaces)
        return withUTF8(raw) { parse(raw: raw, $0) }
    }

    /// `raw` (already trimmed) and its UTF-8 bytes.
    private static func parse(raw: String, _ bytes: UnsafeBufferPointer<UInt8>) -> PhoneNumber? {
        guard !bytes.isEmpty, bytes.count <= maxRawLength else { return nil }
        if isMasked(bytes) { return PhoneNumber(raw: raw, e164: nil) }
        // The digits, after a `+` if it leads: E.164 has at most 15, so 32 bytes of text hold them all.
        var digits: [UInt8] = [UInt8(ascii: "+")]
        digits.reserveCapacity(bytes.count + 2)
        var plus = false
        for (index, byte) in bytes.enumerated() {
            if byte == UInt8(ascii: "+") && index == 0 {
                plus = true
                continue
            }
            if ASCIIDigits.isDigit(byte) {
                digits.append(byte)
                continue
            }
            if isSeparator(byte) { continue }
            return nil
        }
        let count = digits.count - 1
        guard count > 0 else { return nil }
        if plus {
            // As written.
        } else if count >= 2, digits[1] == UInt8(ascii: "0"), digits[2] == UInt8(ascii: "0") {
            digits.removeSubrange(1...2)
        } else if count == 11, digits[1] == UInt8(ascii: "1") {
            // Bare 11-digit numbers starting with 1 are Chinese mobiles.
            digits.insert(contentsOf: [UInt8(ascii: "8"), UInt8(ascii: "6")], at: 1)
        }
        guard (7...15).contains(digits.count - 1), digits[1] != UInt8(ascii: "0") else {
            return PhoneNumber(raw: raw, e164: nil)
        }
        return PhoneNumber(raw: raw, e164: String(decoding: digits, as: UTF8.self))
    }

    /// `138****5678`: the gateway's mask, first three and last four digits of the national number.
    public static func isMasked(_ text: String) -> Bool {
        withUTF8(text) { isMasked($0) }
    }

    private static func isMasked(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.contains(UInt8(ascii: "*")) && bytes.allSatisfy { $0 == UInt8(ascii: "*") || ASCIIDigits.isDigit($0) }
    }

    private static func isSeparator(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "(") || byte == UInt8(ascii: ")")
    }
    /// A printable ASCII byte other than space: nothing any whitespace set would trim.
    private static func isPlainASCII(_ byte: UInt8) -> Bool { byte > 0x20 && byte < 0x7F }

    private static func withUTF8<Result>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        var text = text
        return text.withUTF8(body)
    }

    /// The gateway's mask of this number: first three and last four digits of the national number,
    /// stars between. A number that is already masked is its own mask.
    package var gatewayMask: String {
        if PhoneNumber.isMasked(self.raw) { return self.raw }
        guard let e164 = self.e164 else { return self.raw }
        let national = GatewayNumber.shown(e164)
        guard national.count > 7 else { return national }
        return String(national.prefix(3)) + String(repeating: "*", count: national.count - 7) + String(national.suffix(4))
    }

    /// Whether a masked number could be this (E.164) number: the national number's first three and last
    /// four digits must match. Chinese national numbers drop the +86.
    public static func mask(_ masked: String, matches e164: String) -> Bool {
        guard let (shape, shown) = MaskShape.of(masked) else { return false }
        return shape.shown(in: GatewayNumber.shown(e164)) == shown
    }

    /// Where a mask shows digits: so many before the stars, so many after, of so many in all. Numbers
    /// that fit one mask are the ones with equal shown digits, found by lookup instead of by comparing.
    package struct MaskShape: Hashable, Sendable {
        package var head: Int
        package var tail: Int
        package var length: Int

        package struct Shown: Hashable, Sendable {
            package var head: Substring
            package var tail: Substring
        }

        /// The shape and shown digits of a masked number (`138****5678`), or nil when it is not one.
        package static func of(_ masked: String) -> (MaskShape, Shown)? {
            guard PhoneNumber.isMasked(masked), let first = masked.firstIndex(of: "*"), let last = masked.lastIndex(of: "*") else { return nil }
            let head = masked[..<first]
            let tail = masked[masked.index(after: last)...]
            return (MaskShape(head: head.utf8.count, tail: tail.utf8.count, length: masked.utf8.count), Shown(head: head, tail: tail))
        }

        /// The digits this shape shows of a national number, or nil when the lengths differ.
        package func shown(in national: String) -> Shown? {
            guard national.utf8.count == self.length else { return nil }
            return Shown(head: national.prefix(self.head), tail: national.suffix(self.tail))
        }
    }
}
