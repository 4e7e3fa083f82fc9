import Logging
import ServiceLifecycle
import SmsHubDomain

/// Closes the validity windows that have ended, so no recipient waits for ever for a report that
/// will not come. Work is claimed in the database (SKIP LOCKED), so several instances can run it.
struct ExpirySweeper: Service {
    let repository: any ExpiryRepository
    let logger: Logger
    var interval: Duration = .seconds(10)
    /// Tasks closed per tenant and transaction: a tenant with a backlog is worked through in several
    /// short transactions, and the others are not kept waiting behind it.
    var batch = 200

    /// One pass over every tenant with ended windows, until none is left. Returns what it closed.
    @discardableResult
    func runOnce() async throws -> ExpiryPass {
        var total = ExpiryPass()
        for tenantID in try await self.repository.tenantsWithWork() {
            while true {
                let pass = try await self.repository.expireDue(tenantID: tenantID, limit: self.batch)
                total.tasks += pass.tasks
                total.expired += pass.expired
                if pass.tasks < self.batch { break }
            }
        }
        if total.expired > 0 {
            self.logger.info("validity windows ended", metadata: ["tasks": "\(total.tasks)", "recipients.expired": "\(total.expired)"])
        }
        return total
    }

    func run() async throws {
        await runPasses(every: self.interval, logger: self.logger, failure: "expiry pass failed") {
            try await self.runOnce()
        }
    }
}
