import Foundation
import NIOPosix

/// A blocking libpq call with a deadline for its caller.
///
/// libpq cannot be interrupted from outside, and a frozen server (stopped, or its host gone quiet)
/// answers neither the statement nor a cancel request, while the kernel keeps the TCP connection
/// alive. So the caller stops waiting at the deadline and gets `PGError.Kind.timeout`; the call
/// itself finishes on its thread whenever the server answers, and `onAbandon` makes sure its
/// connection is not used again. Work still queued behind busy threads when its caller gives up is
/// skipped rather than run late.
enum PGDeadline {
    static func run<R: Sendable>(
        on threads: NIOThreadPool,
        deadline: Duration?,
        what: String,
        onAbandon: @escaping @Sendable () -> Void = {},
        onLateResult: @escaping @Sendable (R) -> Void = { _ in },
        _ body: @escaping @Sendable () throws -> R
    ) async throws -> R {
        guard let deadline else { return try await threads.runIfActive(body) }
        let gate = Gate<R>()
        return try await withCheckedThrowingContinuation { continuation in
            gate.install(continuation)
            threads.submit { state in
                guard state == .active, gate.claimStart() else {
                    gate.finish(.failure(PGError(kind: .poolClosed, message: "thread pool is shut down")))
                    return
                }
                let result = Result { try body() }
                if !gate.finish(result), case .success(let late) = result { onLateResult(late) }
            }
            Task {
                try? await Task.sleep(for: deadline)
                if gate.finish(.failure(PGError(kind: .timeout, message: "\(what) did not complete within \(deadline)"))) {
                    onAbandon()
                }
            }
        }
    }

    /// Resumes its continuation exactly once, with whichever comes first: the result or the deadline.
    final class Gate<R: Sendable>: @unchecked Sendable {
        private let lock = NSLock()
        private var continuation: CheckedContinuation<R, any Error>?
        private var done = false

        func install(_ continuation: CheckedContinuation<R, any Error>) {
            self.lock.withLock { self.continuation = continuation }
        }

        /// False when the caller has already given up: the work is skipped.
        func claimStart() -> Bool {
            self.lock.withLock { !self.done }
        }

        /// True when this call resumed the caller.
        @discardableResult
        func finish(_ result: Result<R, any Error>) -> Bool {
            let continuation: CheckedContinuation<R, any Error>? = self.lock.withLock {
                guard !self.done else { return nil }
                self.done = true
                defer { self.continuation = nil }
                return self.continuation
            }
            continuation?.resume(with: result)
            return continuation != nil
        }
    }
}
