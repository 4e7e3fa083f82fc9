import Logging
import Postgres
import SmsHubRepository
import TestSupport
import Testing

@testable import SmsHubApp

/// What `serve` does with a database before it answers anything.
@Suite(.tags(.slow), .timeLimit(.minutes(10))) struct StartupTests {
    @Test func serveRefusesADatabaseWithPendingMigrationsUnlessAskedToMigrate() async throws {
        try await withTestDatabase(empty: true) { database in
            var config = configuration(for: database)
            // Before migration 0001 the service role may not exist with rights; check as the owner.
            config.databaseURL = database.ownerURL
            let logger = Logger(label: "test")
            await #expect(throws: StartupError.self) {
                _ = try await buildApplication(configuration: config, logger: logger, migrate: false)
            }
            config.databaseURL = database.appURL
            _ = try await buildApplication(configuration: config, logger: logger, migrate: true)
            let recorded = try await withPool(url: database.ownerURL) { pool in
                try await pool.query("SELECT count(*) AS n FROM smshub_migrations").first!.decode("n", as: Int.self)
            }
            #expect(recorded == (try Migration.bundled()).count)
        }
    }
}
