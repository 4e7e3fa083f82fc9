import Synchronization

/// Counts calls (of a wrapped repository, of a transaction's attempts) from any task.
public final class CallCounter: Sendable {
    private let count = Mutex(0)

    public init() {}

    public var value: Int { self.count.withLock { $0 } }

    /// Counts one more; returns the count with it.
    @discardableResult
    public func tick() -> Int {
        self.count.withLock {
            $0 += 1
            return $0
        }
    }
}
