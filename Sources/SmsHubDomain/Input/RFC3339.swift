public import Foundation

/// Times as the API writes and reads them.
public enum RFC3339 {
    /// `YYYY-MM-DDTHH:MM:SSZ`: UTC, whole seconds.
    public static func format(_ date: Date) -> String {
        var out: [UInt8] = []
        self.append(date, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `format`, appended to text being written. Written digit by digit: `Date.formatted(.iso8601)`
    /// (the same text) went through a format style and a calendar for each of a message's recipients.
    package static func append(_ date: Date, to out: inout [UInt8]) {
        // Years 1 to 9999 only (what RFC 3339 can write); others, never stored from validated input,
        // are written as the nearest end rather than trapping in an integer conversion.
        let clamped = min(max(date.timeIntervalSince1970.rounded(.down), -62_135_596_800), 253_402_300_799)
        let seconds = clamped.isNaN ? 0 : Int(clamped)
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let day = CalendarDay(daysSinceEpoch: days)
        let time = seconds - days * 86_400
        day.append(to: &out)
        out.append(UInt8(ascii: "T"))
        ASCIIDigits.append(time / 3600, width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        ASCIIDigits.append(time / 60 % 60, width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        ASCIIDigits.append(time % 60, width: 2, to: &out)
        out.append(UInt8(ascii: "Z"))
    }

    /// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`; `t` and `z` in lower case too, as RFC 3339 allows.
    /// nil for anything else, a time without an offset included: it would be ambiguous.
    public static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes.count <= 40 else { return nil }
        func digits(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= bytes.count else { return nil }
            return ASCIIDigits.value(bytes[start..<start + count])
        }
        guard bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t"),
            bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
            let year = digits(0, 4), let month = digits(5, 2), let dayOfMonth = digits(8, 2),
            let hour = digits(11, 2), let minute = digits(14, 2), let second = digits(17, 2),
            let day = CalendarDay(year: year, month: month, day: dayOfMonth), hour < 24, minute < 60, second < 60
        else { return nil }
        var index = 19
        var fraction = 0.0
        if bytes[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            let start = index
            while index < bytes.count, ASCIIDigits.isDigit(bytes[index]) {
                fraction += Double(bytes[index] - UInt8(ascii: "0")) * scale
                scale /= 10
                index += 1
            }
            guard index > start, index < bytes.count else { return nil }
        }
        var offset = 0
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard index + 1 == bytes.count else { return nil }
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard index + 6 == bytes.count, bytes[index + 3] == UInt8(ascii: ":"),
                let hours = digits(index + 1, 2), let minutes = digits(index + 4, 2), hours < 24, minutes < 60
            else { return nil }
            offset = (hours * 3600 + minutes * 60) * (bytes[index] == UInt8(ascii: "-") ? -1 : 1)
        default:
            return nil
        }
        let seconds = day.daysSinceEpoch * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }
}
