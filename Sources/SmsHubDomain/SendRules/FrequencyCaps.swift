package import Foundation

/// At most `count` messages to one number in any `seconds` long stretch of time (a rolling window).
package struct CapWindow: Sendable, Equatable, Hashable {
    package var count: Int
    package var seconds: Int

    package static let counts = 1...100
    /// Up to 31 days.
    package static let secondsRange = 1...2_678_400

    package init(count: Int, seconds: Int) {
        self.count = count
        self.seconds = seconds
    }
}

/// A tenant's per-number caps by category. Verification codes default to one a minute, five an hour and
/// ten a day, the caps Aliyun applies (docs/sending-rules.md, "Frequency caps"); other categories have
/// none unless the tenant sets them.
package struct FrequencyCaps: Sendable, Equatable {
    package var windows: [TemplateCategory: [CapWindow]] = Self.defaults

    package static let defaults: [TemplateCategory: [CapWindow]] = [
        .verification: [CapWindow(count: 1, seconds: 60), CapWindow(count: 5, seconds: 3_600), CapWindow(count: 10, seconds: 86_400)],
        .notification: [],
        .marketing: [],
    ]
    package static let maxWindows = 5

    package init() {}

    package func windows(for category: TemplateCategory) -> [CapWindow] {
        self.windows[category] ?? []
    }
}

/// What one number's recent sends allow now.
package enum CapCheck: Sendable, Equatable {
    case allowed
    /// The earliest a send would be allowed, in whole seconds from now (at least 1).
    case refused(retryAfter: Int, window: CapWindow)
}

extension FrequencyCaps {
    /// Whether one more send to a number whose accepted sends were at `stamps` fits every window.
    package static func check(stamps: [Date], now: Date, windows: [CapWindow]) -> CapCheck {
        let newest = stamps.sorted(by: >)
        var worst: (retryAfter: Int, window: CapWindow)?
        for window in windows {
            let start = now.addingTimeInterval(-Double(window.seconds))
            let inside = newest.filter { $0 > start }
            guard inside.count >= window.count else { continue }
            // The send `count` places back must leave the window first.
            let leaves = inside[window.count - 1].addingTimeInterval(Double(window.seconds))
            let wait = max(1, Int(leaves.timeIntervalSince(now).rounded(.up)))
            if wait > (worst?.retryAfter ?? 0) { worst = (wait, window) }
        }
        guard let worst else { return .allowed }
        return .refused(retryAfter: worst.retryAfter, window: worst.window)
    }

    /// The stamps to keep after admitting a send at `now`: only what any window can still count.
    package static func keep(stamps: [Date], now: Date, windows: [CapWindow]) -> [Date] {
        guard let longest = windows.map(\.seconds).max(), let most = windows.map(\.count).max() else { return [] }
        let start = now.addingTimeInterval(-Double(longest))
        return Array(([now] + stamps.filter { $0 > start }).sorted(by: >).prefix(most))
    }
}
