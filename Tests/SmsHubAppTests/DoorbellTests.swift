import Testing

@testable import SmsHubApp

/// The dispatcher's early wake-up: a ring ends a wait, a ring before a wait is kept for it, and a
/// wait nobody rings ends at its interval or when its task is cancelled.
@Suite struct DoorbellTests {
    @Test func aRingEndsTheWaitAndAnEarlyRingIsKept() async {
        let bell = Doorbell()
        let clock = ContinuousClock()
        await bell.ring()
        await bell.ring()
        var started = clock.now
        await bell.wait(upTo: .seconds(600))
        #expect(clock.now - started < .seconds(300), "the kept ring ends the wait at once")

        async let waited: Void = bell.wait(upTo: .seconds(600))
        // Rings until the wait has begun and been ended by one: a ring before it starts is kept for it.
        started = clock.now
        await bell.ring()
        await waited
        #expect(clock.now - started < .seconds(300))
    }

    @Test func anUnrungWaitEndsAtItsIntervalOrWhenCancelled() async {
        let bell = Doorbell()
        let clock = ContinuousClock()
        var started = clock.now
        await bell.wait(upTo: .milliseconds(20))
        #expect(clock.now - started >= .milliseconds(20))

        let waiting = Task { await bell.wait(upTo: .seconds(600)) }
        started = clock.now
        waiting.cancel()
        await waiting.value
        #expect(clock.now - started < .seconds(300), "cancellation ends the wait")
    }
}
