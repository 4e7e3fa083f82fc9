import Logging
import ServiceLifecycle
import SmsHubDomain

/// Keeps the daily summary's counts current: folds the queue of recipient outcome changes that every
/// send, report, expiry and removal adds to. The summary is exact whether or not a fold has run; the
/// queue is what it reads beside the counts, so a short queue keeps it fast.
struct OutcomeCountFolder: Service {
    let repository: any OutcomeCountRepository
    let logger: Logger
    var interval: Duration = .seconds(1)
    /// Changes per transaction: a backlog is folded in several short transactions.
    var batch = 5000
    /// Transactions per pass, so a pass ends even while changes arrive as fast as they are folded.
    var maxBatches = 20

    @discardableResult
    func runOnce() async throws -> Int {
        try await runSlices(max: self.maxBatches, batch: self.batch) { try await self.repository.fold(limit: self.batch) }
    }

    func run() async throws {
        await runPasses(every: self.interval, logger: self.logger, failure: "outcome count fold failed") {
            try await self.runOnce()
        }
    }
}
