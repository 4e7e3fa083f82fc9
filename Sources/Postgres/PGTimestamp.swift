import Foundation

/// `timestamptz` in the ISO text form the wrapper's sessions use (`DateStyle=ISO`, `TimeZone=UTC`).
///
/// Hand-written rather than through `DateFormatter`: it sits on every row read and must accept
/// PostgreSQL's variable fraction and offset widths.
enum PGTimestamp {
    /// Microseconds since 1970 that PostgreSQL's timestamptz holds: from 4714-11-24 BC; every
    /// positive Int64 is before its end (294276 AD).
    static let micros: ClosedRange<Int64> = -210_866_803_200_000_000...Int64.max

    /// Every `Date` has a text: one beyond what PostgreSQL holds (or not finite) is written as
    /// `infinity`/`-infinity` rather than trapping in an integer conversion.
    static func format(_ date: Date) -> String {
        let totalMicros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        guard let exact = Int64(exactly: totalMicros), Self.micros.contains(exact) else {
            return totalMicros < 0 ? "-infinity" : "infinity"
        }
        var seconds = exact >= 0 ? exact / 1_000_000 : (exact - 999_999) / 1_000_000
        let micros = exact - seconds * 1_000_000
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        seconds -= days * 86_400
        let (y, m, d) = civil(fromDays: days)
        func pad(_ v: Int64, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        let year = y > 0 ? pad(y, 4) : pad(1 - y, 4)
        var text = "\(year)-\(pad(m, 2))-\(pad(d, 2)) \(pad(seconds / 3600, 2)):\(pad(seconds / 60 % 60, 2)):\(pad(seconds % 60, 2))"
        text += ".\(pad(micros, 6))+00"
        if y <= 0 { text += " BC" }
        return text
    }

    static func parse(_ text: Substring) -> Date? {
        if text == "infinity" { return .distantFuture }
        if text == "-infinity" { return .distantPast }
        var s = Array(text.utf8)
        var bc = false
        if s.count > 3, s.suffix(3).elementsEqual(" BC".utf8) {
            bc = true
            s.removeLast(3)
        }
        var i = 0
        func number(_ width: Int? = nil) -> Int64? {
            var value: Int64 = 0
            var count = 0
            while i < s.count, s[i] >= 48, s[i] <= 57, width.map({ count < $0 }) ?? true {
                value = value * 10 + Int64(s[i] - 48)
                i += 1
                count += 1
            }
            if let width, count != width { return nil }
            return count > 0 ? value : nil
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < s.count, s[i] == c else { return false }
            i += 1
            return true
        }
        guard var year = number(), expect(45), let month = number(2), expect(45), let day = number(2),
            expect(32) || expect(84), let hour = number(2), expect(58), let minute = number(2), expect(58),
            let second = number(2)
        else { return nil }
        if bc { year = 1 - year }
        var micros: Int64 = 0
        if expect(46) {
            var digits = 0
            while i < s.count, s[i] >= 48, s[i] <= 57 {
                if digits < 6 {
                    micros = micros * 10 + Int64(s[i] - 48)
                }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            for _ in 0..<max(0, 6 - digits) { micros *= 10 }
        }
        var offset: Int64 = 0
        if i < s.count {
            if s[i] == 90 {  // Z
                i += 1
            } else {
                let sign: Int64
                if s[i] == 43 { sign = 1 } else if s[i] == 45 { sign = -1 } else { return nil }
                i += 1
                guard let oh = number(2) else { return nil }
                var om: Int64 = 0
                var os: Int64 = 0
                if expect(58) {
                    guard let v = number(2) else { return nil }
                    om = v
                }
                if expect(58) {
                    guard let v = number(2) else { return nil }
                    os = v
                }
                offset = sign * (oh * 3600 + om * 60 + os)
            }
        }
        guard i == s.count, (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else {
            return nil
        }
        let days = daysFromCivil(year: year, month: month, day: day)
        let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: Double(secs) + Double(micros) / 1_000_000)
    }

    // Howard Hinnant's civil-calendar algorithms: proleptic Gregorian, exact for any year.
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? yoe + era * 400 + 1 : yoe + era * 400, m, d)
    }
}
