import Foundation

/// How many segments a message is billed as (docs/sending-rules.md, "Segments"). Pure, so the
/// estimate stored at acceptance and the tests' vectors agree by construction.
///
/// - Mainland China (`+86`): the signature with its 【】 and the text, every UTF-16 unit one
///   character (Chinese, Latin, digits, punctuation alike); 70 fit one segment, longer ones are
///   billed 67 a segment. There is no 160-character path at home.
/// - Elsewhere, text GSM-7 can write: septets, 160 in one segment, 153 a segment when longer, an
///   extension character (two septets) never split across segments.
/// - Elsewhere, anything else: UTF-16 units, 70 in one segment, 67 a segment when longer, a surrogate
///   pair never split.
package enum SegmentCounter {
    package enum Rule: String, Sendable, Equatable {
        case mainland
        case gsm7
        case ucs2
    }

    /// The rule for a destination number in E.164 and a text: mainland for `+86`, else by the text.
    package static func rule(e164: String?, text: String) -> Rule {
        if let e164, e164.utf8.starts(with: "+86".utf8) { return .mainland }
        return text.unicodeScalars.allSatisfy { GSM7.septets($0) != nil } ? .gsm7 : .ucs2
    }

    /// Segments for `text` (the signature already in it, where the provider adds one) to `e164`.
    package static func segments(_ text: String, e164: String?) -> Int {
        self.segments(text, rule: self.rule(e164: e164, text: text))
    }

    package static func segments(_ text: String, rule: Rule) -> Int {
        switch rule {
        case .mainland:
            let length = text.utf16.count
            return length <= 70 ? 1 : (length + 66) / 67
        case .gsm7:
            return self.packed(text.unicodeScalars.map { GSM7.septets($0) ?? 1 }, single: 160, part: 153)
        case .ucs2:
            return self.packed(text.unicodeScalars.map { $0.utf16.count }, single: 70, part: 67)
        }
    }

    /// Units of characters that are never split, packed into parts of `part` when they exceed `single`.
    private static func packed(_ units: [Int], single: Int, part: Int) -> Int {
        let total = units.reduce(0, +)
        guard total > single else { return 1 }
        var parts = 1
        var used = 0
        for unit in units {
            if used + unit > part {
                parts += 1
                used = 0
            }
            used += unit
        }
        return parts
    }

    /// The text billed in mainland China: the signature's 【…】 counts, and the provider adds it to a
    /// text that does not already carry one at either end.
    package static func withSignature(_ text: String, signature: String?) -> String {
        guard let signature, !signature.isEmpty else { return text }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("【") || trimmed.hasSuffix("】") { return text }
        let bracketed = signature.hasPrefix("【") ? signature : "【\(signature)】"
        return bracketed + text
    }
}
