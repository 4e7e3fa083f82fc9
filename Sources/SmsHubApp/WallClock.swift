package import Foundation

/// The time a background service acts on: when an attempt happened, when a retry is due. Injected,
/// so a test sets the time it is about instead of waiting for it to pass.
package struct WallClock: Sendable {
    package var now: @Sendable () -> Date

    package init(now: @escaping @Sendable () -> Date) {
        self.now = now
    }

    package static let system = WallClock { Date() }
}
