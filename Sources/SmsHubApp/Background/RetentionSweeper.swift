import Foundation
import Logging
import ServiceLifecycle
import SmsHubDomain

/// Applies each tenant's retention (docs/retention.md): redacts contents past `redact_after_days`,
/// removes data past `delete_after_days`, a slice of each table at a time in transactions of their
/// own, with a pause between slices so ingestion keeps the database. Records the horizons it has
/// finished, so the API and BI can say what is no longer covered. Every instance may run it: slices
/// that overlap find their rows gone, and the horizons only move forward.
struct RetentionSweeper: Service {
    let repository: any RetentionRepository
    let logger: Logger
    var interval: Duration = .seconds(60)
    var slice = 1000
    var pause: Duration = .milliseconds(10)
    /// At most this many slices per tenant and pass, so one tenant's backlog leaves a turn to the rest.
    var maxSlices = 2000
    var now: @Sendable () -> Date = { Date() }

    struct Swept: Sendable, Equatable {
        var redacted = 0
        var removed = 0
    }

    func run() async throws {
        await runPasses(every: self.interval, logger: self.logger, failure: "retention pass failed") {
            let swept = try await self.runOnce()
            if swept != Swept() {
                self.logger.info("retention applied", metadata: ["redacted": "\(swept.redacted)", "removed": "\(swept.removed)"])
            }
        }
    }

    /// One pass over every tenant with a retention setting.
    @discardableResult
    func runOnce() async throws -> Swept {
        var swept = Swept()
        for (tenantID, retention) in try await self.repository.tenantsWithRetention() {
            let horizons = retention.horizons(at: self.now())
            do {
                if let horizon = horizons.redact {
                    let (count, done) = try await self.slices {
                        try await self.repository.redact(tenantID: tenantID, from: retention.redactedBefore, before: horizon, limit: self.slice)
                    }
                    swept.redacted += count
                    if done { try await self.repository.recordProgress(tenantID: tenantID, redactedBefore: horizon, deletedBefore: nil) }
                }
                if let horizon = horizons.delete {
                    let (count, done) = try await self.slices {
                        try await self.repository.remove(tenantID: tenantID, before: horizon, limit: self.slice)
                    }
                    swept.removed += count
                    if done { try await self.repository.recordProgress(tenantID: tenantID, redactedBefore: nil, deletedBefore: horizon) }
                }
            } catch {
                if Task.isCancelled { throw error }
                self.logger.error(
                    "retention failed for a tenant",
                    metadata: ["tenant.id": "\(tenantID.apiString)", "error.type": "\(type(of: error))"]
                )
            }
        }
        return swept
    }

    /// Runs `step` until it changes nothing (done), the pass's share runs out or the service is shutting
    /// down (a removal at size takes minutes); the rows changed.
    private func slices(_ step: () async throws -> Int) async throws -> (Int, done: Bool) {
        var total = 0
        for _ in 0..<self.maxSlices where !Task.isShuttingDownGracefully {
            let changed = try await step()
            total += changed
            if changed == 0 { return (total, true) }
            try await Task.sleep(for: self.pause)
        }
        return (total, false)
    }
}
