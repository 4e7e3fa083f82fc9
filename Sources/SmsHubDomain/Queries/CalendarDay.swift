public import Foundation

/// A day of the proleptic Gregorian calendar, written `YYYY-MM-DD`.
public struct CalendarDay: Sendable, Equatable, Comparable, CustomStringConvertible {
    package let year: Int
    package let month: Int
    package let day: Int

    package init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month), (1...Self.length(of: month, in: year)).contains(day) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Exactly `YYYY-MM-DD`; nil for anything else, including days that do not exist (2026-02-30).
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? { ASCIIDigits.value(bytes[range]) }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10) else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// The day `date` falls on in `zone`.
    /// The day `date` falls on in `zone`; a date outside years 1 to 9999 gives the nearest end.
    public init(_ date: Date, in zone: TimeZone) {
        let clamped = min(max(date.timeIntervalSince1970.rounded(.down), -62_135_596_800), 253_402_300_799)
        let seconds = (clamped.isNaN ? 0 : Int(clamped)) + zone.secondsFromGMT(for: date)
        self = Self(daysSinceEpoch: seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
    }

    /// Days since 1970-01-01 (negative before it).
    package var daysSinceEpoch: Int {
        Self.daysFromCivil(year: self.year, month: self.month, day: self.day)
    }

    package init(daysSinceEpoch days: Int) {
        // Civil from days (H. Hinnant's algorithm), the inverse of `daysFromCivil`.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        self.year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        self.month = month
        self.day = day
    }

    public func adding(days: Int) -> CalendarDay {
        CalendarDay(daysSinceEpoch: self.daysSinceEpoch + days)
    }

    public var description: String {
        var out: [UInt8] = []
        out.reserveCapacity(10)
        self.append(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `YYYY-MM-DD`, appended to text being written (API times write a day per recipient).
    package func append(to out: inout [UInt8]) {
        ASCIIDigits.append(self.year, width: 4, to: &out)
        out.append(UInt8(ascii: "-"))
        ASCIIDigits.append(self.month, width: 2, to: &out)
        out.append(UInt8(ascii: "-"))
        ASCIIDigits.append(self.day, width: 2, to: &out)
    }

    public static func < (lhs: CalendarDay, rhs: CalendarDay) -> Bool {
        lhs.daysSinceEpoch < rhs.daysSinceEpoch
    }

    /// Days from civil, proleptic Gregorian (H. Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func length(of month: Int, in year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
