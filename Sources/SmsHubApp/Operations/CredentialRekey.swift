import Foundation
package import Logging
package import SmsHubDomain
package import SmsHubRepository

/// Re-seals stored provider credentials and webhook signing secrets under the active master key, so that an older key can be
/// retired without stranding accounts nobody updated. Idempotent (an account already under the active
/// key is not touched) and resumable (each account is its own transaction; a rerun picks up the rest).
package struct CredentialRekey: Sendable {
    let keys: PostgresCredentialKeys
    let accounts: any ProviderAccountRepository
    let endpoints: any WebhookEndpointRepository
    let keyring: SecretKeyring
    var batch = 200

    package init(database: Database, keyring: SecretKeyring) {
        self.keys = PostgresCredentialKeys(database: database)
        self.accounts = PostgresProviderAccountRepository(database: database)
        self.endpoints = PostgresWebhookEndpointRepository(database: database)
        self.keyring = keyring
    }

    package struct Report: Sendable, Equatable, CustomStringConvertible {
        /// Re-sealed under the active key by this run.
        package var resealed = 0
        /// Already under the active key.
        package var current = 0
        /// Sealed under a key this keyring does not hold (or damaged): left as they are.
        package var unopenable = 0

        package var description: String {
            "resealed \(self.resealed), already current \(self.current), cannot open \(self.unopenable)"
        }
    }

    package func run(logger: Logger) async throws -> Report {
        var report = Report()
        let keyring = self.keyring
        try await self.reseal(.providerCredentials, &report, logger: logger) { tenantID, id in
            _ = try await self.accounts.update(tenantID: tenantID, id: id) { record in
                var record = record
                // Another run may have done it meanwhile: sealing again would be harmless, but is skipped.
                guard record.sealed.keyID != keyring.active.id else { return record }
                let secrets = try keyring.open(record.sealed, tenantID: tenantID, accountID: id)
                record.sealed = try keyring.seal(secrets, tenantID: tenantID, accountID: id)
                return record
            }
            return true
        }
        try await self.reseal(.webhookSecrets, &report, logger: logger) { tenantID, id in
            guard let stored = try await self.endpoints.sealedSecrets(tenantID: tenantID, id: id), stored.keyID != keyring.active.id else {
                return false
            }
            let secrets = try keyring.open(stored, tenantID: tenantID, endpointID: id)
            let resealed = try keyring.seal(secrets, tenantID: tenantID, endpointID: id)
            return try await self.endpoints.reseal(tenantID: tenantID, id: id, from: stored.keyID, to: resealed)
        }
        report.current = try await self.keys.countsByKey()[keyring.active.id, default: 0] - report.resealed
        return report
    }

    /// Every row of `boxes` sealed under another key, batch by batch: `one` re-seals a row and says
    /// whether it wrote it; a row no configured key opens is counted, logged by id, and skipped.
    private func reseal(
        _ boxes: SealedBoxes,
        _ report: inout Report,
        logger: Logger,
        _ one: (UUID, UUID) async throws -> Bool
    ) async throws {
        var skipped: [UUID] = []
        while true {
            let due = try await self.keys.sealedUnderOtherKeys(boxes, than: self.keyring.active.id, excluding: skipped, limit: self.batch)
            if due.isEmpty { break }
            for row in due {
                do {
                    if try await one(row.tenantID, row.id) { report.resealed += 1 }
                } catch is SecretKeyring.KeyringError {
                    report.unopenable += 1
                    skipped.append(row.id)
                    logger.warning(
                        "sealed secrets cannot be opened with the configured keys",
                        metadata: ["table": "\(boxes.rawValue)", "id": "\(row.id.apiString)"]
                    )
                }
            }
        }
    }
}

/// `smshub rekey`: one connection as the service role (whose smshub_admin membership reads the key ids).
package func runRekey(configuration: AppConfiguration, logger: Logger) async throws -> CredentialRekey.Report {
    try await Database.withSingleConnection(url: configuration.databaseURL, applicationName: "smshub-rekey") { database in
        try await CredentialRekey(database: database, keyring: configuration.keyring).run(logger: logger)
    }
}
