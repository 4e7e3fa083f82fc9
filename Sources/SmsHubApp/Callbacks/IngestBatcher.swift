import Logging
import SmsHubDomain

/// Group commit for callbacks: events of concurrent requests are written together in one transaction,
/// and each request is answered only after the transaction holding its events commits.
///
/// One flush runs at a time; whatever arrives meanwhile forms the next batch, so batches grow with
/// load and a lone request waits for nothing but its own commit.
actor IngestBatcher {
    private let store: any EventStore
    private let maxBatch: Int
    private let logger: Logger
    private var pending: [(IncomingEvents, CheckedContinuation<StoreOutcome, any Error>)] = []
    private var flushing = false
    let onBatch: @Sendable (Int) -> Void

    init(store: any EventStore, maxBatch: Int = 256, logger: Logger, onBatch: @escaping @Sendable (Int) -> Void = { _ in }) {
        self.store = store
        self.maxBatch = maxBatch
        self.logger = logger
        self.onBatch = onBatch
    }

    func submit(_ events: IncomingEvents) async throws -> StoreOutcome {
        try await withCheckedThrowingContinuation { continuation in
            self.pending.append((events, continuation))
            if !self.flushing {
                self.flushing = true
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
        self.flushing = false
    }
}
