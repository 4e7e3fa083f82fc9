import Foundation
import Logging
import SmsHubDomain
import SmsHubRepository

/// Re-seals stored provider credentials under the active master key, so that an older key can be
/// retired without stranding accounts nobody updated. Idempotent (an account already under the active
/// key is not touched) and resumable (each account is its own transaction; a rerun picks up the rest).
public struct CredentialRekey: Sendable {
    let keys: PostgresCredentialKeys
    let accounts: any ProviderAccountRepository
    let keyring: SecretKeyring
    var batch = 200

    public init(database: Database, keyring: SecretKeyring) {
        self.keys = PostgresCredentialKeys(database: database)
        self.accounts = PostgresProviderAccountRepository(database: database)
        self.keyring = keyring
    }

    public struct Report: Sendable, Equatable, CustomStringConvertible {
        /// Re-sealed under the active key by this run.
        public var resealed = 0
        /// Already under the active key.
        public var current = 0
        /// Sealed under a key this keyring does not hold (or damaged): left as they are.
        public var unopenable = 0

        public var description: String {
            "resealed \(self.resealed), already current \(self.current), cannot open \(self.unopenable)"
        }
    }

    public func run(logger: Logger) async throws -> Report {
        var report = Report()
        var skipped: [UUID] = []
        let active = self.keyring.active.id
        while true {
            let due = try await self.keys.sealedUnderOtherKeys(than: active, excluding: skipped, limit: self.batch)
            if due.isEmpty { break }
            for account in due {
                let keyring = self.keyring
                do {
                    _ = try await self.accounts.update(tenantID: account.tenantID, id: account.accountID) { record in
                        var record = record
                        // Another run may have done it meanwhile: sealing again would be harmless, but is skipped.
                        guard record.sealed.keyID != keyring.active.id else { return record }
                        let secrets = try keyring.open(record.sealed, tenantID: account.tenantID, accountID: account.accountID)
                        record.sealed = try keyring.seal(secrets, tenantID: account.tenantID, accountID: account.accountID)
                        return record
                    }
                    report.resealed += 1
                } catch is SecretKeyring.KeyringError {
                    report.unopenable += 1
                    skipped.append(account.accountID)
                    logger.warning(
                        "credentials cannot be opened with the configured keys",
                        metadata: ["account_id": "\(account.accountID.uuidString.lowercased())"]
                    )
                }
            }
        }
        report.current = try await self.keys.countsByKey()[active, default: 0] - report.resealed
        return report
    }
}

/// What `serve` says at start about the stored credentials: how many each configured key seals, and
/// how many are sealed under keys it does not have (those accounts cannot send or verify callbacks).
public struct CredentialKeyReport: Sendable, Equatable {
    public var underActive = 0
    public var underPrevious = 0
    public var unopenable = 0
    public var unknownKeyIDs: [String] = []

    public static func make(counts: [String: Int], keyring: SecretKeyring) -> CredentialKeyReport {
        var report = CredentialKeyReport()
        let previous = Set(keyring.previousKeyIDs)
        for (keyID, count) in counts.sorted(by: { $0.key < $1.key }) {
            if keyID == keyring.active.id {
                report.underActive += count
            } else if previous.contains(keyID) {
                report.underPrevious += count
            } else {
                report.unopenable += count
                report.unknownKeyIDs.append(keyID)
            }
        }
        return report
    }

    func log(_ logger: Logger) {
        let metadata: Logger.Metadata = [
            "active_key": "\(self.underActive)", "previous_keys": "\(self.underPrevious)", "unknown_keys": "\(self.unopenable)",
        ]
        if self.unopenable > 0 {
            logger.error(
                "provider credentials are sealed under master keys this instance does not have; those accounts cannot send or verify callbacks",
                metadata: metadata.merging(["key_ids": "\(self.unknownKeyIDs.joined(separator: ","))"]) { $1 }
            )
        } else if self.underPrevious > 0 {
            logger.notice(
                "provider credentials are still sealed under previous master keys; run 'smshub rekey' before removing them",
                metadata: metadata
            )
        } else {
            logger.info("provider credentials are all sealed under the active master key", metadata: metadata)
        }
    }
}

/// `smshub rekey`: one connection as the service role (whose smshub_admin membership reads the key ids).
public func runRekey(configuration: AppConfiguration, logger: Logger) async throws -> CredentialRekey.Report {
    try await Database.withSingleConnection(url: configuration.databaseURL, applicationName: "smshub-rekey") { database in
        try await CredentialRekey(database: database, keyring: configuration.keyring).run(logger: logger)
    }
}
