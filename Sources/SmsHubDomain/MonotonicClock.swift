/// The clock that caches and lag checks measure intervals by (it never goes back), injected so a
/// test moves it instead of waiting for time to pass.
package struct MonotonicClock: Sendable {
    package var now: @Sendable () -> ContinuousClock.Instant

    package init(now: @escaping @Sendable () -> ContinuousClock.Instant) {
        self.now = now
    }

    package static let system = MonotonicClock { .now }
}
