package import Foundation

/// Recipients accepted on one day (in the asked time zone) through one provider account, by outcome.
/// `failed` counts every unsuccessful final state (failed, undelivered, expired); `pending` every
/// recipient not final yet (queued, submitted, sent, unknown).
package struct DailySummaryRow: Sendable, Equatable {
    package var day: CalendarDay
    package var providerAccountID: UUID
    package var provider: String
    package var sent: Int
    package var delivered: Int
    package var failed: Int
    package var pending: Int

    package init(day: CalendarDay, providerAccountID: UUID, provider: String, sent: Int, delivered: Int, failed: Int, pending: Int) {
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
package struct DailySummary: Sendable, Equatable {
    package var rows: [DailySummaryRow]
    package var dataRemovedBefore: Date?

    package init(rows: [DailySummaryRow], dataRemovedBefore: Date?) {
        self.rows = rows
        self.dataRemovedBefore = dataRemovedBefore
    }
}

package struct DailySummaryRequest: Sendable, Equatable {
    /// First and last day, inclusive.
    package var firstDay: CalendarDay
    package var lastDay: CalendarDay
    /// An IANA zone name; days begin at midnight there.
    package var timeZone: String
    package var providerAccountID: UUID?

    package static let maximumDays = 366

    package init(firstDay: CalendarDay, lastDay: CalendarDay, timeZone: String, providerAccountID: UUID?) {
        self.firstDay = firstDay
        self.lastDay = lastDay
        self.timeZone = timeZone
        self.providerAccountID = providerAccountID
    }
}
