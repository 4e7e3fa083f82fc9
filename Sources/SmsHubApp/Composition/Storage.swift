package import Logging
import ServiceLifecycle
package import SmsHubRepository

/// The databases of one instance, checked before anything is served: the primary at the bundled
/// schema version with a role that cannot read across tenants, and an optional replica.
struct Storage {
    let repositories: Repositories
    let replica: Database?

    static func open(_ configuration: AppConfiguration, logger: Logger, migrate: Bool) async throws -> Storage {
        let migrator = Migrator(migrations: try Migration.bundled(), logger: logger)
        if migrate {
            try await runMigrations(url: configuration.migrationDatabaseURL, migrator: migrator)
        }
        func connect(_ url: String) -> Database {
            Database.connect(
                url: url,
                maxConnections: configuration.databasePoolSize,
                statementTimeout: configuration.databaseStatementTimeout,
                logger: logger
            )
        }
        let database = connect(configuration.databaseURL)
        do {
            // The pool refuses a connection on a role that bypasses tenancy; at start that refuses to serve.
            let status = try await database.migrationStatus(migrator)
            guard status.isCurrent else {
                throw StartupError.pendingMigrations(status.pending)
            }
            let counts = try await PostgresCredentialKeys(database: database).countsByKey()
            CredentialKeyReport.make(counts: counts, keyring: configuration.keyring).log(logger)
        } catch let refused as ServiceRoleCheck.Refused {
            await database.close()
            throw StartupError.roleBypassesTenancy(refused.problems)
        } catch {
            await database.close()
            throw error
        }
        // The replica is optional at every moment: unreachable at start or later, reads go to the primary.
        let replica = configuration.readDatabaseURL.map(connect)
        let reads = ReadRouting(primary: database, replica: replica, maxLag: configuration.readMaxLag)
        return Storage(repositories: Repositories(database: database, migrator: migrator, reads: reads), replica: replica)
    }

    /// The pools' closing at shutdown, and the replica's lag checks.
    func services(metrics: ServiceMetrics) -> [any Service] {
        var services: [any Service] = [PoolService(database: self.repositories.database)]
        if let replica {
            services.append(PoolService(database: replica))
            services.append(ReplicaMonitor(routing: self.repositories.reads, metrics: metrics, logger: Logger(label: "smshub.replica")))
        }
        return services
    }
}

/// `smshub migrate`: applies the migrations bundled in this build; returns the latest version.
package func migrateBundled(url: String, logger: Logger) async throws -> Int {
    let migrator = Migrator(migrations: try Migration.bundled(), logger: logger)
    try await runMigrations(url: url, migrator: migrator)
    return migrator.migrations.last?.version ?? 0
}

package func runMigrations(url: String, migrator: Migrator) async throws {
    try await Database.withSingleConnection(url: url, applicationName: "smshub-migrate") { try await $0.migrate(migrator) }
}

package enum StartupError: Error, CustomStringConvertible {
    case pendingMigrations([Int])
    /// The service role could read every tenant's rows (DATABASE_URL's role; docs/operations.md).
    case roleBypassesTenancy([String])
    /// The open-file limit cannot hold the database pools and a working minimum (`DescriptorBudget`).
    case tooFewOpenFiles(Int, needed: Int)

    package var description: String {
        switch self {
        case .pendingMigrations(let versions):
            "the database is missing migrations \(versions.map(String.init).joined(separator: ", ")); run 'smshub migrate' or start with --migrate"
        case .roleBypassesTenancy(let problems):
            "refusing to serve: DATABASE_URL's role would see every tenant's rows: " + problems.joined(separator: "; ")
        case .tooFewOpenFiles(let limit, let needed):
            "the open-file limit (ulimit -n) is \(limit); the database pools and a working minimum need at least \(needed)"
        }
    }
}
