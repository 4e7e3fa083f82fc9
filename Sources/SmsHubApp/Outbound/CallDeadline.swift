/// Thrown when `withDeadline`'s time ran out before its operation finished.
struct DeadlineExceeded: Error {}

/// Runs `operation` and cancels it once `timeout` has passed: one deadline over a whole exchange
/// (connect, head, body), where the HTTP client's own timeouts cover only parts of it.
func withDeadline<T: Sendable>(_ timeout: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: timeout)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw DeadlineExceeded() }
        return value
    }
}
