package import Foundation

/// Reads an account's balance from its provider now and records it (the app makes the call).
package protocol BalanceSource: Sendable {
    /// Throws `RefreshBalance.Failure.unreachable` or `.refused` when the provider gives no balance.
    func readBalance(tenantID: UUID, accountID: UUID) async throws -> BalanceSnapshot
}

/// A balance read on demand, outside the poll schedule: from a provider with a balance API (the
/// Gateway, SUBMAIL, EngageLab; Huawei MSGSMS has none), and never from a disabled account.
package struct RefreshBalance: Sendable {
    let accounts: any ProviderAccountRepository
    let source: any BalanceSource

    package init(accounts: any ProviderAccountRepository, source: any BalanceSource) {
        self.accounts = accounts
        self.source = source
    }

    package enum Failure: Error, Sendable, Equatable {
        case notFound
        /// The account's provider has no balance API (422).
        case noBalanceAPI
        /// The account lacks what its provider's balance API needs (422, naming the fields).
        case incomplete([FieldProblem])
        /// The account is disabled (409).
        case disabled
        /// The provider could not be reached or gave no answer (502).
        case unreachable(String)
        /// The provider answered with a refusal (502).
        case refused(String)
    }

    package static let providersWithBalances: Set<Provider> = [.gateway, .submail, .engagelab]

    package func callAsFunction(tenantID: UUID, accountID: UUID) async throws -> BalanceSnapshot {
        guard let account = try await self.accounts.get(tenantID: tenantID, id: accountID) else { throw Failure.notFound }
        guard Self.providersWithBalances.contains(account.provider) else { throw Failure.noBalanceAPI }
        guard account.status == .active else { throw Failure.disabled }
        return try await self.source.readBalance(tenantID: tenantID, accountID: accountID)
    }
}
