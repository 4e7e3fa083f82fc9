package import Foundation

/// A tenant's ceilings per day and per month, in recipients accepted or segments estimated, counted in
/// the tenant's time zone (default Asia/Shanghai). Nil is no ceiling.
package struct Quotas: Sendable, Equatable {
    package var recipientsPerDay: Int64?
    package var recipientsPerMonth: Int64?
    package var segmentsPerDay: Int64?
    package var segmentsPerMonth: Int64?
    /// As the tenant wrote it (Foundation may name the same zone otherwise, `UTC` as `GMT`).
    package var timeZoneName = "Asia/Shanghai"

    package var timeZone: TimeZone { TimeZone(identifier: self.timeZoneName) ?? .gmt }

    package static let limits: ClosedRange<Int64> = 1...1_000_000_000_000

    package init() {}

    package var isEmpty: Bool {
        self.recipientsPerDay == nil && self.recipientsPerMonth == nil && self.segmentsPerDay == nil && self.segmentsPerMonth == nil
    }
}

/// A day or a month of one tenant's usage, as its quota row is keyed.
package struct QuotaPeriod: Sendable, Equatable {
    package enum Kind: String, Sendable, CaseIterable { case day, month }
    package var kind: Kind
    /// The period's first day, in the quota's time zone.
    package var start: CalendarDay
    /// When the next period starts.
    package var end: Date

    /// The day and the month `now` falls in, in `zone`.
    package static func current(_ now: Date, in zone: TimeZone) -> [QuotaPeriod] {
        let today = CalendarDay(now, in: zone)
        let tomorrow = CalendarDay(daysSinceEpoch: today.daysSinceEpoch + 1)
        let first = CalendarDay(year: today.year, month: today.month, day: 1) ?? today
        let nextMonth =
            today.month == 12
            ? CalendarDay(year: today.year + 1, month: 1, day: 1) : CalendarDay(year: today.year, month: today.month + 1, day: 1)
        return [
            QuotaPeriod(kind: .day, start: today, end: Self.midnight(tomorrow, in: zone)),
            QuotaPeriod(kind: .month, start: first, end: Self.midnight(nextMonth ?? tomorrow, in: zone)),
        ]
    }

    /// The instant `day` begins in `zone`.
    static func midnight(_ day: CalendarDay, in zone: TimeZone) -> Date {
        let utc = Date(timeIntervalSince1970: Double(day.daysSinceEpoch) * 86_400)
        // The offset at that midnight; zones without daylight saving (Asia/Shanghai) have one offset.
        return utc.addingTimeInterval(-Double(zone.secondsFromGMT(for: utc)))
    }
}

/// What a period has used so far.
package struct QuotaUsage: Sendable, Equatable {
    package var recipients: Int64 = 0
    package var segments: Int64 = 0

    package init(recipients: Int64 = 0, segments: Int64 = 0) {
        self.recipients = recipients
        self.segments = segments
    }
}
