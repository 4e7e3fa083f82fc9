package import Foundation

/// A provider's secrets as stored: sealed under the master key named by `keyID`.
package struct SealedSecrets: Sendable, Equatable {
    package var keyID: String
    package var box: [UInt8]

    package init(keyID: String, box: [UInt8]) {
        self.keyID = keyID
        self.box = box
    }
}

/// An account row as the repository reads and writes it.
package struct ProviderAccountRecord: Sendable {
    package var account: ProviderAccount
    package var sealed: SealedSecrets
    /// Set to replace the callback token; nil leaves it as it is.
    package var newCallbackTokenHash: [UInt8]?

    package init(account: ProviderAccount, sealed: SealedSecrets, newCallbackTokenHash: [UInt8]? = nil) {
        self.account = account
        self.sealed = sealed
        self.newCallbackTokenHash = newCallbackTokenHash
    }
}

/// The account a callback token resolves to, with what verifying its callbacks needs.
package struct CallbackAccount: Sendable {
    package var tenantID: UUID
    package var accountID: UUID
    package var provider: Provider
    package var accountStatus: AccountStatus
    package var tenantStatus: TenantStatus
    package var settings: ProviderSettings
    package var sealed: SealedSecrets

    package init(
        tenantID: UUID,
        accountID: UUID,
        provider: Provider,
        accountStatus: AccountStatus,
        tenantStatus: TenantStatus,
        settings: ProviderSettings,
        sealed: SealedSecrets
    ) {
        self.tenantID = tenantID
        self.accountID = accountID
        self.provider = provider
        self.accountStatus = accountStatus
        self.tenantStatus = tenantStatus
        self.settings = settings
        self.sealed = sealed
    }
}

package protocol ProviderAccountRepository: Sendable {
    func insert(_ record: ProviderAccountRecord) async throws -> ProviderAccount
    func list(tenantID: UUID, after cursor: PageCursor?, limit: Int) async throws -> Page<ProviderAccount>
    func get(tenantID: UUID, id: UUID) async throws -> ProviderAccount?
    /// The account with its sealed secrets, for the code that calls the provider.
    func record(tenantID: UUID, id: UUID) async throws -> ProviderAccountRecord?
    /// Locks the row, lets `change` compute the new record from the current one, and writes it, all in
    /// one transaction; nil when the tenant has no such account.
    func update(
        tenantID: UUID,
        id: UUID,
        _ change: @Sendable (ProviderAccountRecord) throws -> ProviderAccountRecord
    ) async throws -> ProviderAccount?
    func resolveCallbackToken(hash: [UInt8]) async throws -> CallbackAccount?
}

/// A provider account the tenant already has as default for that provider.
/// The tenant already has `ProviderAccountService.maxAccountsPerTenant` accounts.
package struct TooManyAccounts: Error, Sendable {
    package init() {}
}

package struct DuplicateDefaultAccount: Error, Sendable {
    package init() {}
}
