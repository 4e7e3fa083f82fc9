import Synchronization

/// Counts calls (of a wrapped repository, of a transaction's attempts) from any task.
package final class CallCounter: Sendable {
    private let count = Mutex(0)

    package init() {}

    package var value: Int { self.count.withLock { $0 } }

    /// Counts one more; returns the count with it.
    @discardableResult
    package func tick() -> Int {
        self.count.withLock {
            $0 += 1
            return $0
        }
    }
}
