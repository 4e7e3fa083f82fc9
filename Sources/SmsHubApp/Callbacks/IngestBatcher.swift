import Logging
import SmsHubDomain

/// Group commit for callbacks: events of concurrent requests are written together in one transaction,
/// and each request is answered only after the transaction holding its events commits.
///
/// Up to `maxInFlight` flushes run at once, each on its own connection; whatever arrives while they
/// are all busy forms the next batches, so batches grow with load and a lone request waits for
/// nothing but its own commit. One flush at a time left the CPU idle during each commit's fsync.
actor IngestBatcher {
    private let store: any EventStore
    private let maxBatch: Int
    private let maxInFlight: Int
    private let logger: Logger
    private var pending: [(IncomingEvents, CheckedContinuation<StoreOutcome, any Error>)] = []
    private var inFlight = 0
    let onBatch: @Sendable (Int) -> Void

    init(
        store: any EventStore, maxBatch: Int = 256, maxInFlight: Int = 4, logger: Logger,
        onBatch: @escaping @Sendable (Int) -> Void = { _ in }
    ) {
        precondition(maxInFlight > 0, "at least one flush must be able to run")
        self.store = store
        self.maxBatch = maxBatch
        self.maxInFlight = maxInFlight
        self.logger = logger
        self.onBatch = onBatch
    }

    func submit(_ events: IncomingEvents) async throws -> StoreOutcome {
        try await withCheckedThrowingContinuation { continuation in
            self.pending.append((events, continuation))
            if self.inFlight < self.maxInFlight {
                self.inFlight += 1
                Task { await self.flushLoop() }
            }
        }
    }

    private func flushLoop() async {
        while !self.pending.isEmpty {
            let batch = Array(self.pending.prefix(self.maxBatch))
            self.pending.removeFirst(batch.count)
            self.onBatch(batch.count)
            do {
                let outcomes = try await self.store.store(batch.map(\.0))
                for (entry, outcome) in zip(batch, outcomes) { entry.1.resume(returning: outcome) }
            } catch {
                guard batch.count > 1 else {
                    batch[0].1.resume(throwing: error)
                    continue
                }
                // One request's events must not fail the others': retry each on its own.
                self.logger.warning("ingest batch failed; retrying its requests one by one", metadata: ["size": "\(batch.count)"])
                for entry in batch {
                    do {
                        let outcome = try await self.store.store([entry.0])
                        entry.1.resume(returning: outcome[0])
                    } catch {
                        entry.1.resume(throwing: error)
                    }
                }
            }
        }
        self.inFlight -= 1
    }
}
