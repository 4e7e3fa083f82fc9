import Foundation

/// Events of one callback (or one pull), for one account.
public struct IncomingEvents: Sendable {
    public var tenantID: UUID
    public var accountID: UUID
    public var provider: Provider
    public var source: Source
    public var events: [ProviderEvent]

    public enum Source: String, Sendable { case push, pull }

    public init(tenantID: UUID, accountID: UUID, provider: Provider, source: Source, events: [ProviderEvent]) {
        self.tenantID = tenantID
        self.accountID = accountID
        self.provider = provider
        self.source = source
        self.events = events
    }
}

/// How many of a callback's events were new (duplicates are acknowledged, not stored again).
public struct StoreOutcome: Sendable, Equatable {
    public var stored: Int
    public var duplicates: Int

    public init(stored: Int = 0, duplicates: Int = 0) {
        self.stored = stored
        self.duplicates = duplicates
    }
}

public protocol EventStore: Sendable {
    /// Stores the events of several callbacks in one transaction: all of them are durable when this returns.
    func store(_ batch: [IncomingEvents]) async throws -> [StoreOutcome]
    /// Audit of a refused callback: which account, why, when. No body, no secret.
    func recordRejection(tenantID: UUID, accountID: UUID, provider: Provider, reason: String) async throws
    /// Remembers a one-use token with the events it signed. False when the account has seen it with
    /// other events: a captured signature, reused. The same events again (a retry) are true.
    func claim(_ token: OneUseToken, tenantID: UUID, accountID: UUID) async throws -> Bool
}
