import Logging
import ServiceLifecycle
import SmsHubDomain

/// Gives events attached before migration 0022 their recipient's number, a slice of one tenant's
/// recipients per transaction, so `GET /v1/status-events?number=` stops probing per recipient.
/// Each slice rewrites its events with all their index entries, so the walk rests as long as each
/// slice took: it never holds more than half of one connection's time, and ingestion keeps the
/// rest. Once every tenant is done, a pass is one read of an empty table.
struct EventRecipientBackfiller: Service {
    let repository: any EventRecipientBackfillRepository
    let logger: Logger
    var interval: Duration = .seconds(1)
    /// Recipients per transaction.
    var batch = 1000
    /// Transactions per pass.
    var maxBatches = 60

    @discardableResult
    func runOnce() async throws -> Int {
        var total = 0
        for slice in 0..<self.maxBatches {
            if Task.isShuttingDownGracefully { break }
            let clock = ContinuousClock()
            let started = clock.now
            let walked = try await self.repository.fill(limit: self.batch)
            total += walked
            if walked < self.batch || slice == self.maxBatches - 1 { break }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: clock.now - started) }
        }
        return total
    }

    func run() async throws {
        await runPasses(every: self.interval, logger: self.logger, failure: "event number backfill failed") {
            let walked = try await self.runOnce()
            if walked > 0 { self.logger.debug("event numbers filled in", metadata: ["recipients.walked": "\(walked)"]) }
        }
    }
}
