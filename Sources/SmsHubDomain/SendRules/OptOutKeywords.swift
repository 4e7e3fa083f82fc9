/// Whether a reply asks to stop (or to start again): the text, with full-width forms folded to
/// ASCII, spaces and punctuation around or inside dropped, and letters upper-cased, equals a keyword.
/// Only short replies are read: "please stop calling me about R&D" is a conversation, not an opt-out.
package enum OptOutKeywords {
    package enum Intent: String, Sendable, Equatable {
        case optOut = "opt_out"
        case optIn = "opt_in"
    }

    /// The keywords every provider's users are told to send (docs/sending-rules.md, "Opt-out").
    package static let optOut: Set<String> = ["R", "T", "TD", "退订", "退訂", "STOP", "UNSUBSCRIBE"]
    /// SUBMAIL asks its senders to write `退订回N`, so on its accounts `N` is one too.
    package static let optOutOnSubmail: Set<String> = ["N"]
    package static let optIn: Set<String> = ["START", "UNSTOP", "SUBSCRIBE", "订阅", "訂閱"]

    /// Folded replies longer than this are never a keyword.
    static let maxScalars = 32

    package static func intent(of text: String, provider: Provider) -> Intent? {
        guard let folded = self.folded(text) else { return nil }
        if self.optOut.contains(folded) || (provider == .submail && self.optOutOnSubmail.contains(folded)) { return .optOut }
        if self.optIn.contains(folded) { return .optIn }
        return nil
    }

    /// The reply as compared with the keywords; nil when it is too long to be one.
    static func folded(_ text: String) -> String? {
        var out = String.UnicodeScalarView()
        var count = 0
        for scalar in text.unicodeScalars {
            count += 1
            // Anything this long is not a keyword, with room for the spaces and marks around one.
            if count > self.maxScalars * 4 { return nil }
            var value = scalar.value
            // Full-width ASCII (Ａ, ！) and the ideographic space, as a Chinese keyboard writes them.
            if (0xFF01...0xFF5E).contains(value) { value -= 0xFEE0 }
            if value == 0x3000 { value = 0x20 }
            guard let folded = Unicode.Scalar(value) else { continue }
            if folded.properties.isWhitespace || self.isPunctuation(folded) { continue }
            if (0x61...0x7A).contains(value) { value -= 0x20 }
            out.append(Unicode.Scalar(value) ?? folded)
            if out.count > self.maxScalars { return nil }
        }
        return out.isEmpty ? nil : String(out)
    }

    private static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation, .finalPunctuation,
            .otherPunctuation, .mathSymbol, .otherSymbol, .control, .format:
            return true
        default:
            return false
        }
    }
}
