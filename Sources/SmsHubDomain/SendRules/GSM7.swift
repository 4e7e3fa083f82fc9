/// The GSM 03.38 default alphabet, which international SMS bill by septets: a character of the basic
/// table takes one, one of the extension table two (an escape, then the character).
enum GSM7 {
    /// 1 for the basic table, 2 for the extension table, nil for a character GSM-7 cannot write.
    static func septets(_ scalar: Unicode.Scalar) -> Int? {
        let value = scalar.value
        // Space to `z` minus the few ASCII characters the basic table lacks or moves.
        if value >= 0x20 && value <= 0x7A {
            switch value {
            case 0x24: return 1  // $
            case 0x40: return 1  // @
            case 0x5B, 0x5C, 0x5D, 0x5E: return 2  // [ \ ] ^
            case 0x5F: return 1  // _
            case 0x60: return nil  // `
            default: return 1
            }
        }
        switch value {
        case 0x0A, 0x0D: return 1
        case 0x0C, 0x7B, 0x7C, 0x7D, 0x7E, 0x20AC: return 2  // form feed { | } ~ €
        default: return basic.contains(value) ? 1 : nil
        }
    }

    /// The basic table's characters outside printable ASCII.
    private static let basic: Set<UInt32> = [
        0xA3, 0xA5, 0xE8, 0xE9, 0xF9, 0xEC, 0xF2, 0xC7, 0xD8, 0xF8, 0xC5, 0xE5,  // £ ¥ è é ù ì ò Ç Ø ø Å å
        0x394, 0x3A6, 0x393, 0x39B, 0x3A9, 0x3A0, 0x3A8, 0x3A3, 0x398, 0x39E,  // Δ Φ Γ Λ Ω Π Ψ Σ Θ Ξ
        0xC6, 0xE6, 0xDF, 0xC9, 0xA4, 0xA1, 0xC4, 0xD6, 0xD1, 0xDC, 0xA7, 0xBF,  // Æ æ ß É ¤ ¡ Ä Ö Ñ Ü § ¿
        0xE4, 0xF6, 0xF1, 0xFC, 0xE0,  // ä ö ñ ü à
    ]
}
