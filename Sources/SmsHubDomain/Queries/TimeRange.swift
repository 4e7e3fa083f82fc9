package import Foundation

/// A half-open interval [from, to) over a list's own time column; either end may be open.
package struct TimeRange: Sendable, Equatable {
    package var from: Date?
    package var to: Date?

    package init(from: Date? = nil, to: Date? = nil) {
        self.from = from
        self.to = to
    }

    package static let unbounded = TimeRange()
}
