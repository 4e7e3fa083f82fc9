import Foundation
import Logging
import Postgres
import SmsHubRepository
import TestSupport
import Testing

@testable import SmsHubApp

/// Tenancy cannot be switched off by how the service role was made: migrations make it NOINHERIT, and
/// `serve` refuses a role that would see every tenant's rows, naming why. On a cluster of its own,
/// since roles are cluster-wide.
@Suite(.serialized, .runsAlone) struct ServiceRoleTests {
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
