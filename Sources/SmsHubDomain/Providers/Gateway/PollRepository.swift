package import Foundation

package enum PollKind: String, Sendable, CaseIterable {
    case report, mo, balance
}

package struct BalanceSnapshot: Sendable, Equatable {
    package var accountID: UUID
    package var balance: Decimal
    package var payment: String?
    package var observedAt: Date

    package init(accountID: UUID, balance: Decimal, payment: String?, observedAt: Date) {
        self.accountID = accountID
        self.balance = balance
        self.payment = payment
        self.observedAt = observedAt
    }
}

package protocol PollRepository: Sendable {
    /// Gateway accounts whose `kind` poll is due and not leased.
    func due(kind: PollKind, every: Duration) async throws -> [(tenantID: UUID, accountID: UUID)]
    /// SUBMAIL and EngageLab accounts with the credentials of their balance API whose balance poll is
    /// due and not leased (leased and released as the Gateway's, kind `balance`).
    func providerBalancesDue(every: Duration) async throws -> [(tenantID: UUID, accountID: UUID)]
    /// Takes the lease for `lease`; false when another instance holds it, or polled within `every`
    /// since this instance listed the account as due.
    func acquire(tenantID: UUID, accountID: UUID, kind: PollKind, every: Duration, lease: Duration) async throws -> Bool
    /// Releases the lease and records the poll time.
    func release(tenantID: UUID, accountID: UUID, kind: PollKind, polled: Bool) async throws
    func recordBalance(tenantID: UUID, accountID: UUID, balance: Decimal, payment: String?, raw: String) async throws -> BalanceSnapshot
}
