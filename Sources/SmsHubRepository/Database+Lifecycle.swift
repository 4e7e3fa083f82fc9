import Foundation
package import Logging
import Postgres

/// Opening, inspecting and closing the database, for the layers above that must not see the driver.
extension Database {
    /// A pool of `maxConnections` to `url`. Statements are cancelled after `statementTimeout` by the
    /// server and abandoned a second later by the client; a caller waits as long for a free connection.
    /// Every connection is refused (`ServiceRoleCheck.Refused`) while its role could read across tenants.
    package static func connect(url: String, maxConnections: Int, statementTimeout: Duration?, logger: Logger) -> Database {
        Database(
            pool: PGPool(
                configuration: PGConfiguration(
                    url: url,
                    maxConnections: maxConnections,
                    acquireTimeout: (statementTimeout ?? .seconds(4)) + .seconds(1),
                    statementTimeout: statementTimeout,
                    checkConnection: ServiceRoleCheck.refuseUnsafe
                ),
                logger: logger
            )
        )
    }

    /// One connection to `url` for the length of `body` (migrations, maintenance commands).
    package static func withSingleConnection<R: Sendable>(
        url: String,
        applicationName: String,
        _ body: (Database) async throws -> R
    ) async throws -> R {
        try await PGPool.scoped(PGConfiguration(url: url, maxConnections: 1, applicationName: applicationName)) { pool in
            try await body(Database(pool: pool))
        }
    }

    package func close() async {
        await self.pool.close()
    }

    package func migrationStatus(_ migrator: Migrator) async throws -> Migrator.Status {
        try await self.pool.withSession { try await migrator.status($0) }
    }

    package func migrate(_ migrator: Migrator) async throws {
        _ = try await self.pool.withSession { try await migrator.migrate($0) }
    }

    package struct PoolStatistics: Sendable, Equatable {
        package var open: Int
        package var idle: Int
        package var waiting: Int
        package var max: Int
    }

    package func poolStatistics() async -> PoolStatistics {
        let stats = await self.pool.statistics
        return PoolStatistics(open: stats.open, idle: stats.idle, waiting: stats.waiting, max: stats.max)
    }
}

/// What the layers above need to know of a database error, without the driver's types.
package enum DatabaseFailure {
    /// The database is unreachable, did not answer within its deadline, no connection was free in
    /// time, or the transaction kept losing races with others: a caller should retry later (503), not
    /// be told its request was wrong or that the hub failed (a provider may give up on a 500).
    package static func isUnavailable(_ error: any Error) -> Bool {
        guard let error = error as? PGError else { return false }
        return error.isConnectionFailure || error.isTimeout || error.isConflict || error.kind == .poolTimeout || error.kind == .poolClosed
    }

    /// The error's kind and SQLSTATE for a log line; nil when it is not a database error. Never the
    /// message, which can carry values bound into a statement.
    package static func logMetadata(_ error: any Error) -> Logger.Metadata? {
        guard let error = error as? PGError else { return nil }
        return ["error.kind": "\(error.kind)", "sqlstate": "\(error.sqlState ?? "-")"]
    }
}
