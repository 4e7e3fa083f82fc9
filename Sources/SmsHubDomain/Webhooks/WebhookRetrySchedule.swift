import Foundation

/// When a failed delivery is tried again: Svix's schedule, each wait spread by up to a fifth either
/// way so that the retries of one outage do not all land in the same second.
package enum WebhookRetrySchedule {
    /// The wait before attempt n + 2 (after attempt n + 1 failed): immediately, then 5 s, 5 min, 30 min,
    /// 2 h, 5 h, 10 h and 10 h. Eight attempts over about 27 hours.
    package static let waits: [Duration] = [
        .seconds(5), .seconds(300), .seconds(1_800), .seconds(7_200), .seconds(18_000), .seconds(36_000), .seconds(36_000),
    ]

    package static var maxAttempts: Int { self.waits.count + 1 }

    /// The wait after `attempts` attempts have failed, or nil when that was the last. `jitter` in
    /// -1...1 scales the spread (random in production, fixed in tests).
    package static func wait(afterAttempts attempts: Int, jitter: Double) -> Duration? {
        guard attempts >= 1, attempts <= self.waits.count else { return nil }
        let base = self.waits[attempts - 1]
        let spread = min(max(jitter.isNaN ? 0 : jitter, -1), 1) * 0.2
        let seconds = base.inSeconds * (1 + spread)
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }
}
