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
        let national = e164.hasPrefix("+86") ? String(e164.dropFirst(3)) : String(e164.drop(while: { $0 == "+" }))
        guard let firstStar = masked.firstIndex(of: "*"), let lastStar = masked.lastIndex(of: "*") else { return false }
        let head = masked[..<firstStar]
        let tail = masked[masked.index(after: lastStar)...]
        return national.count == masked.count && national.hasPrefix(head) && national.hasSuffix(tail)
    }
}
