public import Foundation

/// The time formats providers send.
public enum ProviderTime {
    /// `yyyy-MM-dd HH:mm:ss` in the provider's local zone (Gateway, EngageLab, SUBMAIL `send_at`).
    public static func local(_ text: String, in zone: TimeZone) -> Date? {
        guard let fields = fields(text, separator: " "), fields.zone == nil else { return nil }
        let naive = epoch(fields)
        // The offset at the naive instant, then corrected once for a zone change in between.
        var offset = zone.secondsFromGMT(for: Date(timeIntervalSince1970: naive))
        offset = zone.secondsFromGMT(for: Date(timeIntervalSince1970: naive - Double(offset)))
        return Date(timeIntervalSince1970: naive - Double(offset))
    }

    /// `yyyy-MM-ddTHH:mm:ssZ` in UTC (Huawei).
    public static func utc(_ text: String) -> Date? {
        guard let fields = fields(text, separator: "T"), fields.zone == "Z" else { return nil }
        return Date(timeIntervalSince1970: epoch(fields))
    }

    /// Unix seconds or milliseconds as number or string; nil when outside 2000-01-01 ... 2100-01-01.
    package static func unix(seconds: Double) -> Date? {
        guard (946_684_800...4_102_444_800).contains(seconds) else { return nil }
        return Date(timeIntervalSince1970: seconds)
    }

    struct Fields {
        var year, month, day, hour, minute, second: Int
        var zone: String?
    }

    static func fields(_ text: String, separator: Character) -> Fields? {
        // Bytes, not Characters: every valid form is ASCII, and this runs for each report.
        let bytes = Array(text.utf8)
        guard bytes.count == 19 || (bytes.count == 20 && bytes[19] == UInt8(ascii: "Z")), let separator = separator.asciiValue else { return nil }
        func number(_ range: Range<Int>) -> Int? { ASCIIDigits.value(bytes[range]) }
        guard bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == separator,
            bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
            let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            // The same years as `unix`: a written time in 2100 was read while a Unix one was refused.
            (2000...2099).contains(year), CalendarDay(year: year, month: month, day: day) != nil, hour < 24, minute < 60, second < 60
        else { return nil }
        return Fields(year: year, month: month, day: day, hour: hour, minute: minute, second: second, zone: bytes.count == 20 ? "Z" : nil)
    }

    static func epoch(_ f: Fields) -> Double {
        let days = CalendarDay.daysFromCivil(year: f.year, month: f.month, day: f.day)
        return Double(days * 86_400 + f.hour * 3600 + f.minute * 60 + f.second)
    }
}
