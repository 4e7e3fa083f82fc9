/// Decimal digits in ASCII bytes: dates, times and phone numbers are read as bytes, not Characters,
/// because they are parsed for every callback and every recipient.
public enum ASCIIDigits {
    @inlinable public static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    /// The number `bytes` spell, or nil when any of them is not a decimal digit.
    @inlinable public static func value(_ bytes: some Collection<UInt8>) -> Int? {
        var value = 0
        for byte in bytes {
            guard isDigit(byte) else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }
}
