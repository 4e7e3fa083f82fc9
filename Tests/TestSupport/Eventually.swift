import Foundation

/// Waits for `condition` to hold, checking it every `interval`, for at most `within`. Returns whether
/// it held: the caller asserts that, with what it was waiting for. A test waits for the condition it
/// is about, never for a fixed time, so a slow machine makes it slower, not red.
public func eventually(
    within: Duration = TestTimeouts.condition,
    every interval: Duration = .milliseconds(50),
    _ condition: () async throws -> Bool
) async throws -> Bool {
    let deadline = ContinuousClock.now + within
    while true {
        if try await condition() { return true }
        if ContinuousClock.now >= deadline { return false }
        try await Task.sleep(for: interval)
    }
}

/// Runs `body`; throws `DeadlinePassed` if it has not finished within `limit` (then cancelled).
public func withDeadline<R: Sendable>(
    _ limit: Duration,
    _ what: String,
    _ body: @escaping @Sendable () async throws -> R
) async throws -> R {
    try await withThrowingTaskGroup(of: R?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw DeadlinePassed(what: what, limit: limit) }
        return value
    }
}

public struct DeadlinePassed: Error, CustomStringConvertible {
    public var what: String
    public var limit: Duration
    public var description: String { "\(self.what) did not finish within \(self.limit)" }
}
