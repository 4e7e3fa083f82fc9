package import Foundation

/// A balance a provider reported, as a plain decimal, with the provider's answer kept as it came.
package struct ProviderBalance: Sendable, Equatable {
    package var amount: Decimal
    package var raw: String

    package init(amount: Decimal, raw: String) {
        self.amount = amount
        self.raw = raw
    }
}

/// Digits, an optional minus and point: `Decimal(string:)` alone would also take a prefix of other
/// text, and an answer is input from outside.
package enum PlainDecimal {
    package static func parse(_ text: String) -> Decimal? {
        guard (1...40).contains(text.utf8.count),
            text.utf8.allSatisfy({ ASCIIDigits.isDigit($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") })
        else { return nil }
        return Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
    }
}
