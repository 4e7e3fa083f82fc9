import Foundation
package import Testing

/// How many tests may use the test cluster at once. Swift Testing starts every test of the suite at
/// once; on two cores that is hundreds of databases, pools and servers, and connecting alone then
/// outlasts its deadline. A test that needs the cluster waits here for a slot instead (every
/// `withTestDatabase` takes one), and the tests that stop servers or kill processes take them all
/// (`.runsAlone`). `SMSHUB_TEST_SLOTS` sets the number (docs/architecture.md, testing).
package actor TestSlots {
    package static let shared = TestSlots(capacity: TestSlots.configuredCapacity)

    /// Whether the running task already holds a slot, so a test's nested helpers do not wait for a
    /// second one (which could wait for ever with every slot held by such a test).
    @TaskLocal static var held = false

    package let capacity: Int
    private var free: Int
    /// Waiters in arrival order; the first is served before any later one, so a test that needs
    /// every slot is not passed over for ever by ones that need one.
    private var waiting: [(weight: Int, continuation: CheckedContinuation<Void, Never>)] = []

    init(capacity: Int) {
        self.capacity = capacity
        self.free = capacity
    }

    /// Two tests per core: most of a database test's time is spent waiting on PostgreSQL or on a
    /// server, and more than this at once only lengthens every wait.
    static var configuredCapacity: Int {
        if let text = ProcessInfo.processInfo.environment["SMSHUB_TEST_SLOTS"], let value = Int(text), (1...64).contains(value) {
            return value
        }
        return min(8, max(2, 2 * ProcessInfo.processInfo.activeProcessorCount))
    }

    func acquire(_ weight: Int) async {
        let weight = min(weight, self.capacity)
        if self.waiting.isEmpty && self.free >= weight {
            self.free -= weight
            return
        }
        await withCheckedContinuation { self.waiting.append((weight, $0)) }
    }

    func release(_ weight: Int) {
        self.free += min(weight, self.capacity)
        while let first = self.waiting.first, first.weight <= self.free {
            self.free -= first.weight
            self.waiting.removeFirst()
            first.continuation.resume()
        }
    }

    /// Runs `body` holding one slot (`alone`: every slot), unless this task holds one already.
    package static func with<R: Sendable>(alone: Bool = false, _ body: () async throws -> R) async throws -> R {
        if Self.held { return try await body() }
        let weight = alone ? Self.shared.capacity : 1
        await Self.shared.acquire(weight)
        do {
            let value = try await Self.$held.withValue(true) { try await body() }
            await Self.shared.release(weight)
            return value
        } catch {
            await Self.shared.release(weight)
            throw error
        }
    }
}

/// A test, or every test of a suite, that runs with no other database test beside it: it starts
/// clusters, stops or freezes servers, or kills processes, and neither it nor the others should
/// pay for that.
package struct RunsAlone: TestTrait, SuiteTrait, TestScoping {
    package var isRecursive: Bool { true }

    package func scopeProvider(for test: Test, testCase: Test.Case?) -> Self? {
        // Once per test case, never around a whole suite: the suite's own tests would then share
        // the slots it holds and run beside each other after all.
        testCase == nil ? nil : self
    }

    package func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        try await TestSlots.with(alone: true, function)
    }
}

extension Trait where Self == RunsAlone {
    /// Runs with no other database test beside it (`TestSlots`).
    package static var runsAlone: Self { RunsAlone() }
}
