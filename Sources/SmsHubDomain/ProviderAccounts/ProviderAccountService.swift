import Cryptography
package import Foundation

/// Managing a tenant's provider accounts: the provider's fields, secrets sealed under the active
/// master key (every change re-seals them), the one-default rule, and callback tokens (kept only as
/// hashes; the secret leaves once, in the answer). The check of a URL the hub will call (the egress
/// policy, which resolves names) is supplied by the application.
package struct ProviderAccountService: Sendable {
    let accounts: any ProviderAccountRepository
    let keyring: SecretKeyring
    /// nil when the hub may call `url`; otherwise why not.
    /// Why a URL may not be called by the tenant, or nil.
    let checkURL: @Sendable (String, UUID, UUID?) async -> String?

    package init(
        accounts: any ProviderAccountRepository,
        keyring: SecretKeyring,
        checkURL: @escaping @Sendable (String, UUID, UUID?) async -> String?
    ) {
        self.accounts = accounts
        self.keyring = keyring
        self.checkURL = checkURL
    }

    public enum Failure: Error, Sendable, Equatable {
        /// Values that break a rule (422).
        case invalid([FieldProblem])
        /// Another account of the provider is already the tenant's default (409).
        case defaultTaken
        /// The tenant has `maxAccountsPerTenant` accounts already (409).
        case tooManyAccounts
    }

    /// Accounts one tenant may have: each is polled and called, and its rows kept.
    package static let maxAccountsPerTenant = 100

    package struct WithToken: Sendable {
        package var account: ProviderAccount
        /// The callback token's secret, for the URLs: shown once.
        package var token: String
    }

    package struct NewAccount: Sendable {
        package var provider: String
        package var name: String
        package var settings: [String: String]
        package var credentials: [String: String]
        package var isDefault: Bool

        package init(provider: String, name: String, settings: [String: String] = [:], credentials: [String: String] = [:], isDefault: Bool = false) {
            self.provider = provider
            self.name = name
            self.settings = settings
            self.credentials = credentials
            self.isDefault = isDefault
        }
    }

    package func create(tenantID: UUID, _ new: NewAccount) async throws -> WithToken {
        guard let provider = Provider(rawValue: new.provider) else {
            throw Failure.invalid([
                FieldProblem(field: "provider", message: "must be one of \(Provider.allCases.map(\.rawValue).joined(separator: ", "))")
            ])
        }
        let name = try Self.name(new.name)
        let settings = ProviderSettings(new.settings)
        let secrets = ProviderSecrets(new.credentials.filter { !$0.value.isEmpty })
        try Self.validate(provider: provider, settings: settings, secrets: secrets)
        try await self.checkCallable(settings["base_url"], tenantID: tenantID, accountID: nil)

        let id = SecureRandom.uuid()
        let token = CallbackToken.generate()
        let now = Date()
        let account = ProviderAccount(
            id: id,
            tenantID: tenantID,
            provider: provider,
            name: name,
            status: .active,
            settings: settings,
            secretNames: secrets.values.keys.sorted(),
            isDefault: new.isDefault,
            createdAt: now,
            updatedAt: now,
            disabledAt: nil
        )
        var withToken = secrets
        withToken.values[ProviderSecrets.callbackTokenName] = token.secret
        let sealed = try self.keyring.seal(withToken, tenantID: tenantID, accountID: id)
        let stored: ProviderAccount
        do {
            stored = try await Self.translatingDefaultConflict {
                try await self.accounts.insert(ProviderAccountRecord(account: account, sealed: sealed, newCallbackTokenHash: token.hash))
            }
        } catch is TooManyAccounts {
            throw Failure.tooManyAccounts
        }
        return WithToken(account: stored, token: token.secret)
    }

    package struct Change: Sendable {
        package var name: String?
        /// A nil value removes the setting.
        package var settings: [String: String?]?
        /// A nil value removes the credential; credentials not named stay.
        package var credentials: [String: String?]?
        package var isDefault: Bool?

        package init(name: String? = nil, settings: [String: String?]? = nil, credentials: [String: String?]? = nil, isDefault: Bool? = nil) {
            self.name = name
            self.settings = settings
            self.credentials = credentials
            self.isDefault = isDefault
        }
    }

    /// nil when the tenant has no such account.
    package func update(tenantID: UUID, id: UUID, _ change: Change) async throws -> ProviderAccount? {
        let newName = try change.name.map { try Self.name($0) }
        // Resolved before the update's transaction, which must not wait on DNS.
        if let url = change.settings?["base_url"] { try await self.checkCallable(url, tenantID: tenantID, accountID: id) }
        let keyring = self.keyring
        return try await Self.translatingDefaultConflict {
            try await self.accounts.update(tenantID: tenantID, id: id) { record in
                var record = record
                var account = record.account
                var secrets = try keyring.open(record.sealed, tenantID: tenantID, accountID: id)
                let token = secrets.takeCallbackToken()
                for (key, value) in change.settings ?? [:] { account.settings[key] = value.flatMap { $0.isEmpty ? nil : $0 } }
                for (key, value) in change.credentials ?? [:] { secrets.values[key] = value.flatMap { $0.isEmpty ? nil : $0 } }
                try Self.validate(provider: account.provider, settings: account.settings, secrets: secrets)
                if let newName { account.name = newName }
                if let isDefault = change.isDefault { account.isDefault = isDefault }
                account.secretNames = secrets.values.keys.sorted()
                if let token { secrets.values[ProviderSecrets.callbackTokenName] = token }
                // Always re-sealed under the active key, which is how rotation to a new master key proceeds.
                record.sealed = try keyring.seal(secrets, tenantID: tenantID, accountID: id)
                record.account = account
                return record
            }
        }
    }

    package func setStatus(tenantID: UUID, id: UUID, _ status: AccountStatus) async throws -> ProviderAccount? {
        try await self.accounts.update(tenantID: tenantID, id: id) { record in
            var record = record
            record.account.status = status
            return record
        }
    }

    /// A new callback token; the old one stops working at once on this instance, within a second on others.
    package func rotateToken(tenantID: UUID, id: UUID) async throws -> WithToken? {
        let token = CallbackToken.generate()
        let keyring = self.keyring
        let updated = try await self.accounts.update(tenantID: tenantID, id: id) { record in
            var record = record
            record.newCallbackTokenHash = token.hash
            var secrets = try keyring.open(record.sealed, tenantID: tenantID, accountID: id)
            secrets.values[ProviderSecrets.callbackTokenName] = token.secret
            record.sealed = try keyring.seal(secrets, tenantID: tenantID, accountID: id)
            return record
        }
        return updated.map { WithToken(account: $0, token: token.secret) }
    }

    static func name(_ text: String) throws -> String {
        guard let name = NameRules.normalise(text) else {
            throw Failure.invalid([NameRules.problem()])
        }
        return name
    }

    static func validate(provider: Provider, settings: ProviderSettings, secrets: ProviderSecrets) throws {
        let problems = ProviderFields.of(provider).validate(settings: settings, secrets: secrets)
        if !problems.isEmpty { throw Failure.invalid(problems) }
    }

    /// `accountID` is nil for an account not yet created: only the tenant's allowed blocks apply then.
    func checkCallable(_ url: String?, tenantID: UUID, accountID: UUID?) async throws {
        guard let url, !url.isEmpty, let reason = await self.checkURL(url, tenantID, accountID) else { return }
        throw Failure.invalid([FieldProblem(field: "settings.base_url", message: reason)])
    }

    static func translatingDefaultConflict<R>(_ body: () async throws -> R) async throws -> R {
        do {
            return try await body()
        } catch is DuplicateDefaultAccount {
            throw Failure.defaultTaken
        }
    }
}
