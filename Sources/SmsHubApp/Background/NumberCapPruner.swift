import Logging
import ServiceLifecycle
import SmsHubDomain

/// Removes cap rows of numbers not sent to for longer than any window, so `number_caps` holds the
/// numbers of the last month rather than every number ever sent a capped message.
struct NumberCapPruner: Service {
    let repository: any NumberCapRepository
    let logger: Logger
    var interval: Duration = .seconds(3_600)
    var batch = 10_000
    var maxBatches = 100

    @discardableResult
    func runOnce() async throws -> Int {
        try await runSlices(max: self.maxBatches, batch: self.batch) { try await self.repository.prune(limit: self.batch) }
    }

    func run() async throws {
        await runPasses(every: self.interval, logger: self.logger, failure: "number cap pruning failed") {
            try await self.runOnce()
        }
    }
}
