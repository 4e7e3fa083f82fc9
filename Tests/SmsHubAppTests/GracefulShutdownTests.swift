import Foundation
import Logging
import ServiceLifecycle
import SmsHubDomain
import TestSupport
import Testing

@testable import SmsHubApp
@testable import SmsHubRepository

/// SIGTERM must stop the background services promptly: a deploy waits for them. Their pause between
/// passes used to be a plain sleep that only cancellation ended, so the service stayed up for as long
/// as the longest interval (a minute for retention) after being asked to stop.
@Suite(.tags(.slow), .timeLimit(.minutes(10))) struct GracefulShutdownTests {
    @Test func backgroundServicesStopWithoutWaitingOutTheirPause() async throws {
        try await withApp { app in
            let database = Database(pool: app.pool)
            let logger = Logger(label: "test")
            let hour = Duration.seconds(3600)
            // Each repository counts the call that begins its service's pass.
            let passes = (retention: CallCounter(), expiry: CallCounter(), fold: CallCounter(), fill: CallCounter())
            let services: [any Service] = [
                RetentionSweeper(
                    repository: CountedRetention(base: PostgresRetentionRepository(database: database), passes: passes.retention),
                    logger: logger,
                    interval: hour
                ),
                ExpirySweeper(
                    repository: CountedExpiry(base: PostgresExpiryRepository(database: database), passes: passes.expiry),
                    logger: logger,
                    interval: hour
                ),
                OutcomeCountFolder(
                    repository: CountedFold(base: PostgresOutcomeCountRepository(database: database), passes: passes.fold),
                    logger: logger,
                    interval: hour
                ),
                EventRecipientBackfiller(
                    repository: CountedFill(base: PostgresEventRecipientBackfillRepository(database: database), passes: passes.fill),
                    logger: logger,
                    interval: hour
                ),
            ]
            let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: services, logger: logger))
            let stoppedByItself = try await withThrowingTaskGroup(of: Bool.self) { tasks in
                tasks.addTask {
                    try await group.run()
                    return true
                }
                // Far longer than a shutdown takes, far shorter than the services' pause.
                tasks.addTask {
                    try await Task.sleep(for: .seconds(60))
                    return false
                }
                // Every service has begun its first pass; the short ones are pausing already.
                let begun = try await eventually(every: .milliseconds(20)) {
                    [passes.retention, passes.expiry, passes.fold, passes.fill].allSatisfy { $0.value > 0 }
                }
                #expect(begun, "every service began a pass")
                await group.triggerGracefulShutdown()
                let first = try await tasks.next()
                tasks.cancelAll()
                return first ?? false
            }
            #expect(stoppedByItself, "the services were still pausing a minute after graceful shutdown began")
        }
    }
}

/// The repositories of the background services, counting the call each pass begins with.
struct CountedRetention: RetentionRepository {
    let base: any RetentionRepository
    let passes: CallCounter
    func tenantsWithRetention() async throws -> [(tenantID: UUID, retention: TenantRetention)] {
        self.passes.tick()
        return try await self.base.tenantsWithRetention()
    }
    func redact(tenantID: UUID, from: Date?, before: Date, limit: Int) async throws -> Int {
        try await self.base.redact(tenantID: tenantID, from: from, before: before, limit: limit)
    }
    func remove(tenantID: UUID, before: Date, limit: Int) async throws -> Int {
        try await self.base.remove(tenantID: tenantID, before: before, limit: limit)
    }
    func recordProgress(tenantID: UUID, redactedBefore: Date?, deletedBefore: Date?) async throws {
        try await self.base.recordProgress(tenantID: tenantID, redactedBefore: redactedBefore, deletedBefore: deletedBefore)
    }
}

struct CountedExpiry: ExpiryRepository {
    let base: any ExpiryRepository
    let passes: CallCounter
    func tenantsWithWork() async throws -> [UUID] {
        self.passes.tick()
        return try await self.base.tenantsWithWork()
    }
    func expireDue(tenantID: UUID, limit: Int) async throws -> ExpiryPass {
        try await self.base.expireDue(tenantID: tenantID, limit: limit)
    }
}

struct CountedFold: OutcomeCountRepository {
    let base: any OutcomeCountRepository
    let passes: CallCounter
    func fold(limit: Int) async throws -> Int {
        self.passes.tick()
        return try await self.base.fold(limit: limit)
    }
}

struct CountedFill: EventRecipientBackfillRepository {
    let base: any EventRecipientBackfillRepository
    let passes: CallCounter
    func fill(limit: Int) async throws -> Int {
        self.passes.tick()
        return try await self.base.fill(limit: limit)
    }
}
