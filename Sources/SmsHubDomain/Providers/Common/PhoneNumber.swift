/// A phone number as the provider wrote it, plus one E.164 form for matching and filtering
/// (providers.md §5). Masked numbers (`138****5678`) have no E.164 form.
public struct PhoneNumber: Sendable, Equatable, Hashable {
    public var raw: String
    public var e164: String?

    public static let maxRawLength = 32

    public init(raw: String, e164: String?) {
        self.raw = raw
        self.e164 = e164
    }

    /// A number as a client writes it to the API (send requests, filters): an optional `+` or `00`, then 7
    /// to 15 digits, the first not 0, with at most two of space, `(`, `)` or `-` between two digits, and
    /// spaces around. The same rule as openapi.yaml's pattern `^ *(?:\+|00)?[1-9](?:[ ()-]{0,2}[0-9]){6,14} *$`;
    /// nil otherwise, or when it has no E.164 form.
    public static func written(_ text: String) -> PhoneNumber? {
        // Spaces around the number are allowed, as people paste them.
        let scalars = Array(text.unicodeScalars.drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
        func isDigit(_ index: Int) -> Bool { index < scalars.count && ("0"..."9").contains(scalars[index]) }
        var index = 0
        if scalars.first == "+" {
            index = 1
        } else if scalars.count >= 2, scalars[0] == "0", scalars[1] == "0" {
            index = 2
        }
        guard isDigit(index), scalars[index] != "0" else { return nil }
        var digits = 1
        index += 1
        while index < scalars.count {
            var separators = 0
            while index < scalars.count, " ()-".unicodeScalars.contains(scalars[index]) {
                separators += 1
                index += 1
            }
            guard separators <= 2, isDigit(index) else { return nil }
            digits += 1
            index += 1
        }
        guard (7...15).contains(digits), let number = parse(text), number.e164 != nil else { return nil }
        return number
    }

    /// nil when the text cannot be a phone number at all (empty, too long, letters).
    public static func parse(_ text: String) -> PhoneNumber? {
        let raw = text.trimmingCharacters(in: .whitespaces)
        guard !raw.isEmpty, raw.utf8.count <= maxRawLength else { return nil }
        if isMasked(raw) { return PhoneNumber(raw: raw, e164: nil) }
        var digits = ""
        var plus = false
        for (index, character) in raw.enumerated() {
            if character == "+" && index == 0 { plus = true; continue }
            if character.isASCII, character.isNumber { digits.append(character); continue }
            if character == " " || character == "-" || character == "(" || character == ")" { continue }
            return nil
        }
        guard !digits.isEmpty else { return nil }
        let international: String
        if plus {
            international = digits
        } else if digits.hasPrefix("00") {
            international = String(digits.dropFirst(2))
        } else if digits.count == 11, digits.hasPrefix("1") {
            // Bare 11-digit numbers starting with 1 are Chinese mobiles.
            international = "86" + digits
        } else {
            international = digits
        }
        guard (7...15).contains(international.count), !international.hasPrefix("0") else {
            return PhoneNumber(raw: raw, e164: nil)
        }
        return PhoneNumber(raw: raw, e164: "+" + international)
    }

    /// `138****5678`: the gateway's mask, first three and last four digits of the national number.
    public static func isMasked(_ text: String) -> Bool {
        text.contains("*") && text.allSatisfy { $0 == "*" || ($0.isASCII && $0.isNumber) }
    }

    /// The gateway's mask of this number: first three and last four digits of the national number,
    /// stars between. A number that is already masked is its own mask.
    public var gatewayMask: String {
        if PhoneNumber.isMasked(self.raw) { return self.raw }
        guard let e164 = self.e164 else { return self.raw }
        let national = e164.hasPrefix("+86") ? String(e164.dropFirst(3)) : String(e164.dropFirst())
        guard national.count > 7 else { return national }
        return String(national.prefix(3)) + String(repeating: "*", count: national.count - 7) + String(national.suffix(4))
    }

    /// Whether a masked number could be this (E.164) number: the national number's first three and last
    /// four digits must match. Chinese national numbers drop the +86.
    public static func mask(_ masked: String, matches e164: String) -> Bool {
        guard let (shape, shown) = MaskShape.of(masked) else { return false }
        return shape.shown(in: national(ofE164: e164)) == shown
    }

    /// The national number of an E.164 number, as the gateway masks it: Chinese numbers drop the +86.
    public static func national(ofE164 e164: String) -> String {
        e164.hasPrefix("+86") ? String(e164.dropFirst(3)) : String(e164.drop(while: { $0 == "+" }))
    }

    /// Where a mask shows digits: so many before the stars, so many after, of so many in all. Numbers
    /// that fit one mask are the ones with equal shown digits, found by lookup instead of by comparing.
    public struct MaskShape: Hashable, Sendable {
        public var head: Int
        public var tail: Int
        public var length: Int

        public struct Shown: Hashable, Sendable {
            public var head: Substring
            public var tail: Substring
        }

        /// The shape and shown digits of a masked number (`138****5678`), or nil when it is not one.
        public static func of(_ masked: String) -> (MaskShape, Shown)? {
            guard PhoneNumber.isMasked(masked), let first = masked.firstIndex(of: "*"), let last = masked.lastIndex(of: "*") else { return nil }
            let head = masked[..<first], tail = masked[masked.index(after: last)...]
            return (MaskShape(head: head.utf8.count, tail: tail.utf8.count, length: masked.utf8.count), Shown(head: head, tail: tail))
        }

        /// The digits this shape shows of a national number, or nil when the lengths differ.
        public func shown(in national: String) -> Shown? {
            guard national.utf8.count == self.length else { return nil }
            return Shown(head: national.prefix(self.head), tail: national.suffix(self.tail))
        }
    }
}
