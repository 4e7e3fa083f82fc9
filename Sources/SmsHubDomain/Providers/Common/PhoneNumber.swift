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
