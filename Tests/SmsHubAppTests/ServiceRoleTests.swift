import Foundation
import Logging
import Postgres
import TestSupport
import Testing

@testable import SmsHubApp
@testable import SmsHubRepository

/// Tenancy cannot be switched off by how the service role was made: migrations make it NOINHERIT, and
/// `serve` refuses a role that would see every tenant's rows, naming why. On a cluster of its own,
/// since roles are cluster-wide.
@Suite(.serialized, .runsAlone, .tags(.slow), .timeLimit(.minutes(10))) struct ServiceRoleTests {
    @Test func aUsuallyCreatedRoleIsMadeSafeAndAnUnsafeOneRefused() async throws {
        let cluster = try ScratchCluster.start()
        defer { cluster.stop() }
        // The usual way: INHERIT is the default.
        let (database, _) = try await cluster.serviceDatabase(appRole: "CREATE ROLE smshub_app LOGIN")
        let asSuperuser = { (sql: String) in
            try await PGPool.scoped(.test(url: database.superuserURL, maxConnections: 1)) { pool in
                _ = try await pool.query(PGQuery(sql))
            }
        }
        let inherits = try await PGPool.scoped(.test(url: database.superuserURL, maxConnections: 1)) { pool in
            try await pool.query("SELECT rolinherit FROM pg_roles WHERE rolname = 'smshub_app'").first!.decode("rolinherit", as: Bool.self)
        }
        #expect(!inherits, "the migration made the role NOINHERIT")

        // Two tenants; the service role, scoped to one, sees one.
        let (a, b) = (UUID(), UUID())
        try await asSuperuser("INSERT INTO tenants (id, name) VALUES ('\(a.uuidString)', 'A'), ('\(b.uuidString)', 'B')")
        let visible = { () async throws -> Int in
            try await PGPool.scoped(.test(url: database.appURL, maxConnections: 1)) { pool in
                try await Database(pool: pool).withTenant(a) {
                    try await $0.query("SELECT count(*) AS n FROM tenants").first!.decode("n", as: Int.self)
                }
            }
        }
        #expect(try await visible() == 1)
        var configuration = AppConfiguration(databaseURL: database.appURL, adminToken: adminToken, keyring: testKeyring)
        let logger = Logger(label: "test.role")
        _ = try await buildApplication(configuration: configuration, logger: logger, migrate: false)

        // Each way the role could bypass row-level security: the service refuses to start, saying which.
        try await asSuperuser("ALTER ROLE smshub_app INHERIT")
        #expect(try await visible() == 2, "an inheriting role does see every tenant")
        await self.expectRefusal(configuration, logger, mentioning: "inherits smshub_admin")
        try await asSuperuser("ALTER ROLE smshub_app NOINHERIT BYPASSRLS")
        await self.expectRefusal(configuration, logger, mentioning: "BYPASSRLS")
        try await asSuperuser("ALTER ROLE smshub_app NOBYPASSRLS")
        configuration.databaseURL = database.superuserURL
        await self.expectRefusal(configuration, logger, mentioning: "superuser")

        // A running service's pool checks every connection it makes: after the role is altered and
        // the connection breaks, the next one is refused, naming why, and no tenant query runs on it.
        let running = Database.connect(url: database.appURL, maxConnections: 1, statementTimeout: .seconds(5), logger: logger)
        #expect(try await running.withTenant(a) { try await $0.query("SELECT count(*) AS n FROM tenants").first!.decode("n", as: Int.self) } == 1)
        try await asSuperuser("ALTER ROLE smshub_app BYPASSRLS")
        try await asSuperuser("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'smshub_app'")
        var refusal: ServiceRoleCheck.Refused?
        for _ in 0..<3 where refusal == nil {
            do {
                _ = try await running.withTenant(a) { try await $0.query("SELECT count(*) AS n FROM tenants") }
            } catch let refused as ServiceRoleCheck.Refused {
                refusal = refused
            } catch {
                continue  // the broken connection's own error, once
            }
        }
        #expect(refusal?.description.contains("BYPASSRLS") == true, "\(String(describing: refusal))")
        await running.close()
        try await asSuperuser("ALTER ROLE smshub_app NOBYPASSRLS")
    }

    func expectRefusal(
        _ configuration: AppConfiguration,
        _ logger: Logger,
        mentioning text: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async {
        do {
            _ = try await buildApplication(configuration: configuration, logger: logger, migrate: false)
            Issue.record("the service started", sourceLocation: sourceLocation)
        } catch let error as StartupError {
            #expect(String(describing: error).contains(text), "\(error)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
        }
    }
}
