package import Foundation

/// One balance reading of a provider account.
package struct BalanceRecord: Sendable, Equatable {
    package var id: UUID
    package var providerAccountID: UUID
    package var provider: String
    package var balance: Decimal
    package var payment: String?
    package var observedAt: Date

    package init(id: UUID, providerAccountID: UUID, provider: String, balance: Decimal, payment: String?, observedAt: Date) {
        self.id = id
        self.providerAccountID = providerAccountID
        self.provider = provider
        self.balance = balance
        self.payment = payment
        self.observedAt = observedAt
    }
}
