import Foundation
import SmsHubDomain
import Synchronization

@testable import SmsHubApp

/// A wall clock the test moves by hand: what is due is decided by it, not by how long the test took.
final class ManualClock: Sendable {
    private let time: Mutex<Date>
    private let started = ContinuousClock.now
    private let elapsed = Mutex(Duration.zero)

    /// Starts at the real time now, so what the service wrote before is already due.
    init() {
        self.time = Mutex(Date())
    }

    func advance(by duration: Duration) {
        self.time.withLock { $0 = $0.addingTimeInterval(duration.inSeconds) }
        self.elapsed.withLock { $0 += duration }
    }

    /// The same clock for intervals: it moves only when the test moves it.
    var monotonic: MonotonicClock {
        MonotonicClock { self.started + self.elapsed.withLock { $0 } }
    }

    var wallClock: WallClock {
        WallClock { self.time.withLock { $0 } }
    }
}
