package import Foundation

/// Events of one callback (or one pull), for one account.
package struct IncomingEvents: Sendable {
    package var tenantID: UUID
    package var accountID: UUID
    package var provider: Provider
    package var source: Source
    package var events: [ProviderEvent]

    package enum Source: String, Sendable { case push, pull }

    package init(tenantID: UUID, accountID: UUID, provider: Provider, source: Source, events: [ProviderEvent]) {
        self.tenantID = tenantID
        self.accountID = accountID
        self.provider = provider
        self.source = source
        self.events = events
    }
}

/// How many of a callback's events were new (duplicates are acknowledged, not stored again).
package struct StoreOutcome: Sendable, Equatable {
    package var stored: Int
    package var duplicates: Int

    package init(stored: Int = 0, duplicates: Int = 0) {
        self.stored = stored
        self.duplicates = duplicates
    }
}

package protocol EventStore: Sendable {
    /// Stores the events of several callbacks in one transaction: all of them are durable when this returns.
    func store(_ batch: [IncomingEvents]) async throws -> [StoreOutcome]
    /// Audit of a refused callback: which account, why, when. No body, no secret.
    func recordRejection(tenantID: UUID, accountID: UUID, provider: Provider, reason: String) async throws
    /// Remembers a one-use token with the events it signed. False when the account has seen it with
    /// other events: a captured signature, reused. The same events again (a retry) are true.
    func claim(_ token: OneUseToken, tenantID: UUID, accountID: UUID) async throws -> Bool
}
