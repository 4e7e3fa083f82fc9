import Foundation

/// A half-open interval [from, to) over a list's own time column; either end may be open.
public struct TimeRange: Sendable, Equatable {
    public var from: Date?
    public var to: Date?

    public init(from: Date? = nil, to: Date? = nil) {
        self.from = from
        self.to = to
    }

    public static let unbounded = TimeRange()
}
