import Foundation

/// The time a background service acts on: when an attempt happened, when a retry is due. Injected,
/// so a test sets the time it is about instead of waiting for it to pass.
public struct WallClock: Sendable {
    public var now: @Sendable () -> Date

    public init(now: @escaping @Sendable () -> Date) {
        self.now = now
    }

    public static let system = WallClock { Date() }
}
