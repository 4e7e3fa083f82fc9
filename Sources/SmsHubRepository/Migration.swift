package import Foundation

/// One numbered SQL file from `sql/`.
package struct Migration: Sendable, Equatable {
    package var version: Int
    package var name: String
    package var sql: String

    /// Parses `0001_tenants_and_api_keys.sql` into version 1, name `tenants_and_api_keys`.
    package init?(fileName: String, sql: String) {
        guard fileName.hasSuffix(".sql") else { return nil }
        let stem = fileName.dropLast(4)
        guard let underscore = stem.firstIndex(of: "_"), let version = Int(stem[..<underscore]), version > 0 else {
            return nil
        }
        self.version = version
        self.name = String(stem[stem.index(after: underscore)...])
        self.sql = sql
    }

    /// The migrations shipped inside this module: the top-level `sql/` folder, linked into the target
    /// as `Migrations` and processed as resources, which lands its files in the bundle's root.
    package static func bundled() throws -> [Migration] {
        guard let directory = Bundle.module.resourceURL else {
            throw MigrationError.missingBundle
        }
        return try load(from: directory)
    }

    package static func load(from directory: URL) throws -> [Migration] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        var migrations: [Migration] = []
        for file in files where file.hasSuffix(".sql") {
            let sql = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            guard let migration = Migration(fileName: file, sql: sql) else {
                throw MigrationError.badFileName(file)
            }
            migrations.append(migration)
        }
        migrations.sort { $0.version < $1.version }
        for (a, b) in zip(migrations, migrations.dropFirst()) where a.version == b.version {
            throw MigrationError.duplicateVersion(a.version)
        }
        return migrations
    }
}

package enum MigrationError: Error, CustomStringConvertible, Equatable {
    case missingBundle
    case badFileName(String)
    case duplicateVersion(Int)
    case edited(version: Int, name: String)
    case unknownApplied(version: Int)

    package var description: String {
        switch self {
        case .missingBundle: "the bundled migrations folder is missing"
        case .badFileName(let file): "migration file \(file) is not named NNNN_name.sql"
        case .duplicateVersion(let version): "two migration files share version \(version)"
        case .edited(let version, let name):
            "migration \(version) (\(name)) differs from the one applied; migrations are append-only, add a new file instead"
        case .unknownApplied(let version):
            "the database has migration \(version) applied, which this build does not know; it is older than the database"
        }
    }
}
