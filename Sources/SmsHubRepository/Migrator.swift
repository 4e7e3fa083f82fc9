package import Logging
import Postgres

/// Applies `sql/` migrations in order, each once and in its own transaction, recording each in
/// `smshub_migrations` with a checksum so an edited file is caught instead of silently skipped.
package struct Migrator: Sendable {
    package let migrations: [Migration]
    let logger: Logger

    /// Arbitrary constant: the advisory lock that keeps two instances from migrating at once.
    static let lockKey = 7_246_515_001

    package init(migrations: [Migration], logger: Logger = Logger(label: "smshub.migrate")) {
        self.migrations = migrations
        self.logger = logger
    }

    package struct Status: Sendable, Equatable {
        package var applied: [Int]
        package var pending: [Int]
        package var isCurrent: Bool { self.pending.isEmpty }
    }

    /// Migrates `session`'s database; the session must be the role that owns the schema.
    @discardableResult
    func migrate(_ session: PGSession) async throws -> [Migration] {
        try await session.query("SELECT pg_advisory_lock(\(Self.lockKey))")
        do {
            let applied = try await self.apply(session)
            try await session.query("SELECT pg_advisory_unlock(\(Self.lockKey))")
            return applied
        } catch {
            _ = try? await session.query("SELECT pg_advisory_unlock(\(Self.lockKey))")
            throw error
        }
    }

    private func apply(_ session: PGSession) async throws -> [Migration] {
        try await session.query(
            """
            CREATE TABLE IF NOT EXISTS smshub_migrations (
                version    integer     PRIMARY KEY,
                name       text        NOT NULL,
                checksum   text        NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """
        )
        let recorded = try await self.recorded(session)
        var applied: [Migration] = []
        for migration in self.migrations {
            if let checksum = recorded[migration.version] {
                guard checksum == (try await self.checksum(of: migration, session)) else {
                    throw MigrationError.edited(version: migration.version, name: migration.name)
                }
                continue
            }
            self.logger.info("applying migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
            try await session.transaction { session in
                try await session.executeScript(migration.sql)
                try await session.query(
                    """
                    INSERT INTO smshub_migrations (version, name, checksum)
                    VALUES (\(migration.version), \(migration.name), encode(sha256(convert_to(\(migration.sql), 'UTF8')), 'hex'))
                    """
                )
            }
            applied.append(migration)
        }
        return applied
    }

    /// Which migrations the database has and lacks. Readable by the service role.
    func status(_ session: PGSession) async throws -> Status {
        let exists = try await session.query("SELECT to_regclass('smshub_migrations') IS NOT NULL AS present")
        let present: Bool = try exists.first?.decode("present") ?? false
        let versions = present ? Set(try await self.recorded(session).keys) : []
        let known = Set(self.migrations.map(\.version))
        if let unknown = versions.subtracting(known).min() {
            throw MigrationError.unknownApplied(version: unknown)
        }
        return Status(
            applied: versions.sorted(),
            pending: self.migrations.map(\.version).filter { !versions.contains($0) }
        )
    }

    private func recorded(_ session: PGSession) async throws -> [Int: String] {
        let result = try await session.query("SELECT version, checksum FROM smshub_migrations")
        var recorded: [Int: String] = [:]
        for row in result.rows {
            recorded[try row.decode("version", as: Int.self)] = try row.decode("checksum", as: String.self)
        }
        return recorded
    }

    private func checksum(of migration: Migration, _ session: PGSession) async throws -> String {
        let result = try await session.query("SELECT encode(sha256(convert_to(\(migration.sql), 'UTF8')), 'hex') AS checksum")
        return try result.first!.decode("checksum")
    }
}
