import Foundation
package import Postgres

@testable package import SmsHubRepository

/// A database of its own for one test, cloned from a migrated template: cheap to make, and nothing
/// one test writes can be seen by another.
package struct TestDatabase: Sendable {
    package let name: String
    /// Connection as the service role (`smshub_app`).
    package let appURL: String
    /// Connection as the schema owner (`smshub_owner`).
    package let ownerURL: String
    /// Superuser connection to this database, for inspecting it behind the service's back.
    package let superuserURL: String

    init(name: String) throws {
        self.name = name
        self.appURL = try TestEnvironment.url(user: "smshub_app", database: name)
        self.ownerURL = try TestEnvironment.url(user: "smshub_owner", database: name)
        self.superuserURL = try TestEnvironment.url(user: URLComponents(string: try TestEnvironment.adminURL)?.user ?? "postgres", database: name)
    }

    /// A database `name` on a scratch cluster, with the service's roles (for tests that stop the server).
    package init(name: String, on cluster: ScratchCluster) {
        let base = "postgresql://%@@127.0.0.1:\(cluster.port)/\(name)"
        self.name = name
        self.appURL = base.replacingOccurrences(of: "%@", with: "smshub_app")
        self.ownerURL = base.replacingOccurrences(of: "%@", with: "smshub_owner")
        self.superuserURL = base.replacingOccurrences(of: "%@", with: "postgres")
    }

    /// Connection to this database as another role (loopback test servers trust every role).
    package func url(as user: String) throws -> String {
        try TestEnvironment.url(user: user, database: self.name)
    }

    /// Opens a pool as the service role.
    package func appPool(maxConnections: Int = 4) -> PGPool {
        PGPool(
            configuration: .test(url: self.appURL, maxConnections: maxConnections)
        )
    }
}

package enum TestEnvironment {
    /// Superuser URL of the server the tests use; `scripts/test` sets it.
    package static var adminURL: String {
        get throws {
            guard let url = ProcessInfo.processInfo.environment["SMSHUB_TEST_ADMIN_URL"], !url.isEmpty else {
                throw MissingTestEnvironment(variable: "SMSHUB_TEST_ADMIN_URL")
            }
            return url
        }
    }

    /// The same server as `adminURL`, another role and database. Loopback test servers trust these roles.
    static func url(user: String, database: String) throws -> String {
        var components = URLComponents(string: try adminURL)!
        components.user = user
        components.password = nil
        components.path = "/" + database
        return components.string!
    }
}

/// Makes the template once per test process, then clones it per test.
package actor TestDatabases {
    package static let shared = TestDatabases()
    static let templateName = "smshub_test_template"
    private var templateTask: Task<Void, any Error>?
    private var counter = 0

    package func make() async throws -> TestDatabase {
        try await self.ensureTemplate()
        self.counter += 1
        let name = "smshub_test_\(ProcessInfo.processInfo.processIdentifier)_\(self.counter)"
        try await Self.superuser { session in
            try await session.query("DROP DATABASE IF EXISTS \(unescaped: name) WITH (FORCE)")
            // CREATE DATABASE is serialised by this actor: PostgreSQL refuses to copy a template that
            // another CREATE DATABASE is reading.
            try await session.query(
                "CREATE DATABASE \(unescaped: name) TEMPLATE \(unescaped: Self.templateName) OWNER smshub_owner STRATEGY FILE_COPY"
            )
        }
        return try TestDatabase(name: name)
    }

    package func drop(_ database: TestDatabase) async throws {
        _ = try await Self.superuser { session in
            try await session.query("DROP DATABASE IF EXISTS \(unescaped: database.name) WITH (FORCE)")
        }
    }

    /// An empty database (no migrations), for tests of the migrator itself.
    package func makeEmpty() async throws -> TestDatabase {
        // The template's migration creates the cluster-wide roles once, before any test migrates its own database.
        try await self.ensureTemplate()
        self.counter += 1
        let name = "smshub_test_\(ProcessInfo.processInfo.processIdentifier)_\(self.counter)"
        _ = try await Self.superuser { session in
            try await session.query("CREATE DATABASE \(unescaped: name) OWNER smshub_owner")
        }
        try await Self.ensureRoles()
        return try TestDatabase(name: name)
    }

    private func ensureTemplate() async throws {
        if let templateTask { return try await templateTask.value }
        let task = Task {
            try await Self.ensureRoles()
            try await Self.superuser { session in
                // Leftovers of earlier runs that stopped before cleaning up.
                let stale = try await session.query(
                    "SELECT datname FROM pg_database WHERE datname LIKE 'smshub\\_test\\_%' AND datname <> \(Self.templateName)"
                )
                for row in stale.rows {
                    let name: String = try row.decode("datname")
                    let pid = name.split(separator: "_").dropFirst(2).first.flatMap { Int32($0) }
                    if pid != ProcessInfo.processInfo.processIdentifier, pid.map({ kill($0, 0) != 0 }) ?? true {
                        try await session.query("DROP DATABASE IF EXISTS \(unescaped: name) WITH (FORCE)")
                    }
                }
                try await session.query("DROP DATABASE IF EXISTS \(unescaped: Self.templateName) WITH (FORCE)")
                try await session.query("CREATE DATABASE \(unescaped: Self.templateName) OWNER smshub_owner")
            }
            _ = try await PGPool.scoped(.test(url: try TestEnvironment.url(user: "smshub_owner", database: Self.templateName), maxConnections: 1)) {
                pool in
                try await pool.withSession { try await Migrator(migrations: try Migration.bundled()).migrate($0) }
            }
        }
        self.templateTask = task
        try await task.value
    }

    /// The roles `scripts/lib.sh` creates, made here too so the suite also runs against another server.
    static func ensureRoles() async throws {
        try await superuser { session in
            let existing = try await session.query("SELECT rolname FROM pg_roles WHERE rolname IN ('smshub_owner', 'smshub_app')")
            let names = Set(try existing.rows.map { try $0.decode("rolname", as: String.self) })
            if !names.contains("smshub_owner") { try await session.query("CREATE ROLE smshub_owner LOGIN CREATEROLE") }
            if !names.contains("smshub_app") { try await session.query("CREATE ROLE smshub_app LOGIN NOINHERIT") }
        }
    }

    static func superuser<R: Sendable>(_ body: (PGSession) async throws -> R) async throws -> R {
        try await PGPool.scoped(.test(url: try TestEnvironment.adminURL, maxConnections: 1, applicationName: "smshub-test-admin")) { pool in
            try await pool.withSession(body)
        }
    }
}

/// Runs `body` with a fresh migrated database, dropped afterwards whatever happens. Holds a slot of
/// the test cluster (`TestSlots`) meanwhile.
/// `empty`: no migrations applied (the migration tests apply them). The database is dropped when
/// `body` ends, returned or thrown, before this returns.
package func withTestDatabase<R: Sendable>(empty: Bool = false, _ body: (TestDatabase) async throws -> R) async throws -> R {
    try await TestSlots.with {
        let database = try await empty ? TestDatabases.shared.makeEmpty() : TestDatabases.shared.make()
        do {
            let value = try await body(database)
            try await TestDatabases.shared.drop(database)
            return value
        } catch {
            try? await TestDatabases.shared.drop(database)
            throw error
        }
    }
}

/// Runs `body` with a pool on a fresh database as the service role, closing both afterwards.
package func withAppPool<R: Sendable>(
    maxConnections: Int = 4,
    statementTimeout: Duration? = nil,
    _ body: (PGPool, TestDatabase) async throws -> R
) async throws -> R {
    try await withTestDatabase { database in
        var configuration = PGConfiguration.test(url: database.appURL, maxConnections: maxConnections)
        // With a statement deadline, waiting for a connection is bounded like the service's own.
        if let statementTimeout { configuration.acquireTimeout = statementTimeout + .seconds(1) }
        configuration.statementTimeout = statementTimeout
        return try await PGPool.scoped(configuration) { pool in
            try await body(pool, database)
        }
    }
}

/// Opens a one-connection pool on `url`, runs `body`, and closes it.
package func withPool<R: Sendable>(url: String, _ body: (PGPool) async throws -> R) async throws -> R {
    try await PGPool.scoped(.test(url: url), body)
}

/// The suite needs the servers `scripts/test` starts; run outside it, tests fail with this instead of crashing.
package struct MissingTestEnvironment: Error, CustomStringConvertible {
    package var variable: String
    package var description: String { "\(self.variable) is not set: run the tests with `make test` (scripts/test), which starts PostgreSQL" }
}

extension ScratchCluster {
    /// Database `smshub` on this cluster with the service's roles, migrated; `appRole` is how the
    /// service role is made (the migrations make it safe, or `serve` refuses it).
    package func serviceDatabase(appRole: String = "CREATE ROLE smshub_app LOGIN NOINHERIT") async throws -> (TestDatabase, Migrator) {
        try await PGPool.scoped(.test(url: self.superuserURL, maxConnections: 1)) { pool in
            try await pool.query("CREATE ROLE smshub_owner LOGIN CREATEROLE")
            try await pool.query(PGQuery(appRole))
            try await pool.query("CREATE DATABASE smshub OWNER smshub_owner")
        }
        let database = TestDatabase(name: "smshub", on: self)
        let migrator = Migrator(migrations: try Migration.bundled())
        _ = try await PGPool.scoped(.test(url: database.ownerURL, maxConnections: 1)) { pool in
            try await pool.withSession { try await migrator.migrate($0) }
        }
        return (database, migrator)
    }
}
