import Foundation
import Logging
import ServiceLifecycle
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
            let services: [any Service] = [
                RetentionSweeper(repository: PostgresRetentionRepository(database: database), logger: logger, interval: hour),
                ExpirySweeper(repository: PostgresExpiryRepository(database: database), logger: logger, interval: hour),
                OutcomeCountFolder(repository: PostgresOutcomeCountRepository(database: database), logger: logger, interval: hour),
                EventRecipientBackfiller(repository: PostgresEventRecipientBackfillRepository(database: database), logger: logger, interval: hour),
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
                // Every service has run its first pass and is pausing.
                try await Task.sleep(for: .seconds(1))
                await group.triggerGracefulShutdown()
                let first = try await tasks.next()
                tasks.cancelAll()
                return first ?? false
            }
            #expect(stoppedByItself, "the services were still pausing a minute after graceful shutdown began")
        }
    }
}
