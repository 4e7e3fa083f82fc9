import Logging
import SmsHubDomain

/// Group commit for callbacks: events of concurrent requests are written together in one transaction,
/// and each request is answered only after the transaction holding its events commits.
///
/// Up to `maxInFlight` flushes run at once, each on its own connection; whatever arrives while they
/// are all busy forms the next batches: batches grow with load, a lone request waits for nothing but
/// its own commit, and the CPU is not idle during a commit's fsync (decisions 0006, 0018).
///
/// Bounded on both sides: a batch takes at most `maxBatch` requests and `maxBatchEvents` events (one
/// request may bring more), and at most `maxPending` requests wait; past that `submit` throws `EventIntakeFull`
/// at once, which callers answer with 503 and Retry-After rather than queueing without limit.
actor IngestBatcher: EventIntake {
    /// The queue is full: the caller should be told to retry shortly.

    private let store: any EventStore
    private let maxBatch: Int
    private let maxBatchEvents: Int
    private let maxInFlight: Int
    private let maxPending: Int
    /// True for errors that say the database is unavailable (down, frozen, overloaded): every request of
    /// the batch gets the error at once, since trying them again one by one would only wait longer.
    private let isUnavailable: @Sendable (any Error) -> Bool
    private let logger: Logger
    private var pending: [(IncomingEvents, CheckedContinuation<StoreOutcome, any Error>)] = []
    private var inFlight = 0
    let onBatch: @Sendable (Int) -> Void

    init(
        store: any EventStore,
        maxBatch: Int = 256,
        maxBatchEvents: Int = 20_000,
        maxInFlight: Int = 4,
        maxPending: Int = 4096,
        isUnavailable: @escaping @Sendable (any Error) -> Bool = { _ in false },
        logger: Logger,
        onBatch: @escaping @Sendable (Int) -> Void = { _ in }
    ) {
        precondition(maxInFlight > 0, "at least one flush must be able to run")
        self.store = store
        self.maxBatch = maxBatch
        self.maxBatchEvents = maxBatchEvents
        self.maxInFlight = maxInFlight
        self.maxPending = maxPending
        self.isUnavailable = isUnavailable
        self.logger = logger
        self.onBatch = onBatch
    }

    func submit(_ events: IncomingEvents) async throws -> StoreOutcome {
        guard self.pending.count < self.maxPending else { throw EventIntakeFull() }
        return try await withCheckedThrowingContinuation { continuation in
            self.pending.append((events, continuation))
            if self.inFlight < self.maxInFlight {
                self.inFlight += 1
                Task { await self.flushLoop() }
            }
        }
    }

    private func nextBatch() -> [(IncomingEvents, CheckedContinuation<StoreOutcome, any Error>)] {
        var count = 0
        var events = 0
        for entry in self.pending {
            guard count < self.maxBatch, count == 0 || events + entry.0.events.count <= self.maxBatchEvents else { break }
            count += 1
            events += entry.0.events.count
        }
        let batch = Array(self.pending.prefix(count))
        self.pending.removeFirst(count)
        return batch
    }

    private func flushLoop() async {
        while !self.pending.isEmpty {
            let batch = self.nextBatch()
            self.onBatch(batch.count)
            await self.store(batch)
        }
        self.inFlight -= 1
    }

    /// Stores `batch`; when it fails for a reason one request can cause, halves it and stores each half,
    /// so a request that cannot be stored fails alone at the cost of a few transactions (about twice
    /// the log of the batch size), not one per request.
    private func store(_ batch: [(IncomingEvents, CheckedContinuation<StoreOutcome, any Error>)]) async {
        do {
            let outcomes = try await self.store.store(batch.map(\.0))
            for (entry, outcome) in zip(batch, outcomes) { entry.1.resume(returning: outcome) }
        } catch {
            guard batch.count > 1, !self.isUnavailable(error) else {
                for entry in batch { entry.1.resume(throwing: error) }
                return
            }
            self.logger.warning("ingest batch failed; storing its halves apart", metadata: ["size": "\(batch.count)"])
            let middle = batch.count / 2
            await self.store(Array(batch[..<middle]))
            await self.store(Array(batch[middle...]))
        }
    }
}
