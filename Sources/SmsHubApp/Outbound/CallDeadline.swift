import NIOConcurrencyHelpers

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

/// `operation`'s result, or nil once `timeout` has passed, without waiting for it: the operation
/// runs on and is left to finish by its own bound (a name lookup shared by several callers, which
/// one caller's deadline must not cancel for the others).
func leavingBehind<T: Sendable>(after timeout: Duration, _ operation: @escaping @Sendable () async -> T) async -> T? {
    let once = NIOLockedValueBox<CheckedContinuation<T?, Never>?>(nil)
    return await withCheckedContinuation { continuation in
        once.withLockedValue { $0 = continuation }
        Task {
            let value = await operation()
            once.withLockedValue { pending in
                pending?.resume(returning: value)
                pending = nil
            }
        }
        Task {
            try? await Task.sleep(for: timeout)
            once.withLockedValue { pending in
                pending?.resume(returning: nil)
                pending = nil
            }
        }
    }
}
