import Foundation

/// Waits for `condition` to hold, checking it every `interval`, for at most `within`. Returns whether
/// it held: the caller asserts that, with what it was waiting for. A test waits for the condition it
/// is about, never for a fixed time, so a slow machine makes it slower, not red.
package func eventually(
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
