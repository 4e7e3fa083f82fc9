import Foundation
import Logging
import SmsHubDomain
import SmsHubRepository

/// Re-seals stored provider credentials and webhook signing secrets under the active master key, so that an older key can be
/// retired without stranding accounts nobody updated. Idempotent (an account already under the active
/// key is not touched) and resumable (each account is its own transaction; a rerun picks up the rest).
public struct CredentialRekey: Sendable {
    let keys: PostgresCredentialKeys
    let accounts: any ProviderAccountRepository
    let endpoints: any WebhookEndpointRepository
    let keyring: SecretKeyring
    var batch = 200

    public init(database: Database, keyring: SecretKeyring) {
        self.keys = PostgresCredentialKeys(database: database)
        self.accounts = PostgresProviderAccountRepository(database: database)
        self.endpoints = PostgresWebhookEndpointRepository(database: database)
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
        try await self.resealWebhookSecrets(&report, logger: logger)
        report.current = try await self.keys.countsByKey()[active, default: 0] - report.resealed
        return report
    }
}

extension CredentialRekey {
    /// The same for webhook endpoints' signing secrets.
    func resealWebhookSecrets(_ report: inout Report, logger: Logger) async throws {
        var skipped: [UUID] = []
        let active = self.keyring.active.id
        while true {
            let due = try await self.keys.webhookSecretsUnderOtherKeys(than: active, excluding: skipped, limit: self.batch)
            if due.isEmpty { break }
            for endpoint in due {
                let context = WebhookSigningSecrets.context(tenantID: endpoint.tenantID, endpointID: endpoint.endpointID)
                do {
                    guard let stored = try await self.endpoints.sealedSecrets(tenantID: endpoint.tenantID, id: endpoint.endpointID),
                        stored.keyID != active
                    else { continue }
                    let sealed = try self.keyring.seal(try self.keyring.open(stored.box, keyID: stored.keyID, context: context), context: context)
                    let replaced = try await self.endpoints.reseal(
                        tenantID: endpoint.tenantID,
                        id: endpoint.endpointID,
                        from: stored.keyID,
                        to: SealedSecrets(keyID: sealed.keyID, box: sealed.box)
                    )
                    if replaced { report.resealed += 1 }
                } catch is SecretKeyring.KeyringError {
                    report.unopenable += 1
                    skipped.append(endpoint.endpointID)
                    logger.warning(
                        "a webhook secret cannot be opened with the configured keys",
                        metadata: ["endpoint_id": "\(endpoint.endpointID.uuidString.lowercased())"]
                    )
                }
            }
        }
    }
}

/// `smshub rekey`: one connection as the service role (whose smshub_admin membership reads the key ids).
public func runRekey(configuration: AppConfiguration, logger: Logger) async throws -> CredentialRekey.Report {
    try await Database.withSingleConnection(url: configuration.databaseURL, applicationName: "smshub-rekey") { database in
        try await CredentialRekey(database: database, keyring: configuration.keyring).run(logger: logger)
    }
}
