import Foundation

/// One balance reading of a provider account.
public struct BalanceRecord: Sendable, Equatable {
    public var id: UUID
    public var providerAccountID: UUID
    public var provider: String
    public var balance: Decimal
    public var payment: String?
    public var observedAt: Date

    public init(id: UUID, providerAccountID: UUID, provider: String, balance: Decimal, payment: String?, observedAt: Date) {
        self.id = id
        self.providerAccountID = providerAccountID
        self.provider = provider
        self.balance = balance
        self.payment = payment
        self.observedAt = observedAt
    }
}
