import Foundation
import Logging
import Postgres
import SmsHubDomain
import Synchronization
import TestSupport
import Testing

@testable import SmsHubApp
@testable import SmsHubRepository

/// The group commit's bounds, against the real event store.
@Suite(.tags(.slow), .timeLimit(.minutes(10))) struct IngestBatcherTests {
    static func report(_ id: String, raw: String = "{}") -> ProviderEvent {
        .status(StatusReport(providerMessageID: id, number: nil, state: .delivered, code: "DELIVRD", dedupKey: "t:\(id)", raw: raw))
    }

    func incoming(_ account: SmsHubAppTests.CallbackAccount, _ events: [ProviderEvent]) -> IncomingEvents {
        IncomingEvents(tenantID: account.tenantID, accountID: account.accountID, provider: .huawei, source: .push, events: events)
    }

    /// One request the database refuses (here, a raw payload that is not JSON) fails alone; the batch
    /// it shared is split in halves, not retried request by request.
    @Test func aRequestThatCannotBeStoredFailsAlone() async throws {
        try await withApp { app in
            let account = try await app.makeAccount("huawei")
            let store = CountingStore(PostgresEventStore(database: Database(pool: app.pool)))
            let batcher = IngestBatcher(store: store, maxInFlight: 1, logger: Logger(label: "test"))
            // Hold the only flush on a first request so the next 64 queue up and form one batch.
            let results = await withTaskGroup(of: (Int, Bool).self) { group in
                for index in 0..<64 {
                    let events = [Self.report("m\(index)", raw: index == 37 ? "not json" : "{}")]
                    group.addTask { (index, (try? await batcher.submit(self.incoming(account, events))) != nil) }
                }
                var results: [Int: Bool] = [:]
                for await (index, stored) in group { results[index] = stored }
                return results
            }
            #expect(results.filter { !$0.value }.map(\.key) == [37])
            #expect(try await app.count("status_events") == 63)
            #expect(store.calls < 40, "about 2·log2(batch) transactions for the split, not one per request: \(store.calls)")
        }
    }

    /// While the store cannot keep up, waiting requests are bounded: past `maxPending` a request is
    /// turned away at once (503 with Retry-After at the route), not queued.
    @Test func aFullQueueTurnsRequestsAway() async throws {
        try await withApp { app in
            let account = try await app.makeAccount("huawei")
            // One request per batch: otherwise a loaded machine lets several requests wait before the
            // first flush starts, the flush takes them all, and room opens for more (a batch in flight
            // holds up to maxBatch requests; what the bound promises is maxPending waiting).
            let batcher = IngestBatcher(
                store: PostgresEventStore(database: Database(pool: app.pool)),
                maxBatch: 1,
                maxInFlight: 1,
                maxPending: 3,
                logger: Logger(label: "test")
            )
            try await withPool(url: app.database.superuserURL) { pool in
                try await pool.withTransaction { session in
                    // The store's INSERT waits on this lock until the transaction ends.
                    try await session.query("LOCK TABLE status_events IN EXCLUSIVE MODE")
                    let refused = CallCounter()
                    let outcomes = await withTaskGroup(of: Bool.self) { group in
                        for index in 0..<10 {
                            group.addTask {
                                do {
                                    _ = try await batcher.submit(self.incoming(account, [Self.report("q\(index)")]))
                                    return true
                                } catch is EventIntakeFull {
                                    refused.tick()
                                    return false
                                } catch {
                                    return true
                                }
                            }
                        }
                        // Refusals come at once; the accepted requests wait on the lock. Wait for the
                        // refusals (bounded), not for a fixed time a loaded machine may not keep.
                        _ = try? await eventually { refused.value >= 6 }
                        // Let the lock go by ending the transaction.
                        _ = try? await session.query("COMMIT")
                        var turnedAway = 0
                        for await accepted in group where !accepted { turnedAway += 1 }
                        return turnedAway
                    }
                    #expect(outcomes >= 6, "at most 1 in flight and 3 waiting: \(outcomes) turned away")
                }
            }
        }
    }
}

final class CountingStore: EventStore {
    let base: any EventStore
    let counter = CallCounter()
    var calls: Int { self.counter.value }

    init(_ base: any EventStore) { self.base = base }

    func store(_ batch: [IncomingEvents]) async throws -> [StoreOutcome] {
        self.counter.tick()
        return try await self.base.store(batch)
    }

    func recordRejection(tenantID: UUID, accountID: UUID, provider: Provider, reason: String) async throws {
        try await self.base.recordRejection(tenantID: tenantID, accountID: accountID, provider: provider, reason: reason)
    }

    func claim(_ token: OneUseToken, tenantID: UUID, accountID: UUID) async throws -> Bool {
        try await self.base.claim(token, tenantID: tenantID, accountID: accountID)
    }
}
