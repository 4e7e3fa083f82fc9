import Logging
import ServiceLifecycle
import SmsHubDomain

/// Gives events attached before migration 0022 their recipient's message id and number, a slice of
/// one tenant's recipients per transaction, so no event list probes recipients any more.
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
        try await runSlices(max: self.maxBatches, batch: self.batch, rest: { $0 }) { try await self.repository.fill(limit: self.batch) }
    }

    func run() async throws {
        await runPasses(every: self.interval, logger: self.logger, failure: "event recipient backfill failed") {
            let walked = try await self.runOnce()
            if walked > 0 { self.logger.debug("event recipient copies filled in", metadata: ["recipients.walked": "\(walked)"]) }
        }
    }
}
