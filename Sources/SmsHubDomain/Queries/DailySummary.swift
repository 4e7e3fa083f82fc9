import Foundation

/// Recipients accepted on one day (in the asked time zone) through one provider account, by outcome.
/// `failed` counts every unsuccessful final state (failed, undelivered, expired); `pending` every
/// recipient not final yet (queued, submitted, sent, unknown).
public struct DailySummaryRow: Sendable, Equatable {
    public var day: CalendarDay
    public var providerAccountID: UUID
    public var provider: String
    public var sent: Int
    public var delivered: Int
    public var failed: Int
    public var pending: Int

    public init(day: CalendarDay, providerAccountID: UUID, provider: String, sent: Int, delivered: Int, failed: Int, pending: Int) {
        self.day = day
        self.providerAccountID = providerAccountID
        self.provider = provider
        self.sent = sent
        self.delivered = delivered
        self.failed = failed
        self.pending = pending
    }
}

/// A summary's rows, and how far retention had removed the tenant's data when they were counted
/// (nil: nothing removed); days before that time are counted only in part.
public struct DailySummary: Sendable, Equatable {
    public var rows: [DailySummaryRow]
    public var dataRemovedBefore: Date?

    public init(rows: [DailySummaryRow], dataRemovedBefore: Date?) {
        self.rows = rows
        self.dataRemovedBefore = dataRemovedBefore
    }
}

public struct DailySummaryRequest: Sendable, Equatable {
    /// First and last day, inclusive.
    public var firstDay: CalendarDay
    public var lastDay: CalendarDay
    /// An IANA zone name; days begin at midnight there.
    public var timeZone: String
    public var providerAccountID: UUID?

    public static let maximumDays = 366

    public init(firstDay: CalendarDay, lastDay: CalendarDay, timeZone: String, providerAccountID: UUID?) {
        self.firstDay = firstDay
        self.lastDay = lastDay
        self.timeZone = timeZone
        self.providerAccountID = providerAccountID
    }
}
