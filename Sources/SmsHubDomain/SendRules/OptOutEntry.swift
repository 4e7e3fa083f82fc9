package import Foundation

/// What an opt-out covers: every message, or the messages of one category.
package enum OptOutScope: String, Sendable, CaseIterable {
    case all
    case verification
    case notification
    case marketing
}

/// Who put a number on the list or took it off.
package enum OptOutSource: String, Sendable, CaseIterable {
    /// The number's own reply (`R`, `退订`, … or `START`).
    case reply
    /// A provider's status code saying the number refused or is blacklisted.
    case report
    /// The tenant, through the API.
    case api
}

/// Why a number is on the list, or why it came off: the source and what it carried.
package struct OptOutCause: Sendable, Equatable {
    package var source: OptOutSource
    package var reason: String?
    /// The API key that made the change (source `api`).
    package var apiKeyID: UUID?
    /// The account whose reply or report caused it.
    package var providerAccountID: UUID?
    package var replyID: UUID?
    /// The provider's status code (source `report`).
    package var code: String?

    package init(
        source: OptOutSource,
        reason: String? = nil,
        apiKeyID: UUID? = nil,
        providerAccountID: UUID? = nil,
        replyID: UUID? = nil,
        code: String? = nil
    ) {
        self.source = source
        self.reason = reason
        self.apiKeyID = apiKeyID
        self.providerAccountID = providerAccountID
        self.replyID = replyID
        self.code = code
    }
}

/// A number on a tenant's opt-out list, for one scope.
package struct OptOutEntry: Sendable, Equatable {
    package var id: UUID
    package var number: String
    package var scope: OptOutScope
    package var cause: OptOutCause
    package var createdAt: Date

    package init(id: UUID, number: String, scope: OptOutScope, cause: OptOutCause, createdAt: Date) {
        self.id = id
        self.number = number
        self.scope = scope
        self.cause = cause
        self.createdAt = createdAt
    }
}

/// One change to the list: the history kept for each number, entries removed included.
package struct OptOutChange: Sendable, Equatable {
    package enum Action: String, Sendable { case added, removed }
    package var id: UUID
    package var number: String
    package var scope: OptOutScope
    package var action: Action
    package var cause: OptOutCause
    package var createdAt: Date

    package init(id: UUID, number: String, scope: OptOutScope, action: Action, cause: OptOutCause, createdAt: Date) {
        self.id = id
        self.number = number
        self.scope = scope
        self.action = action
        self.cause = cause
        self.createdAt = createdAt
    }
}

package protocol OptOutRepository: Sendable {
    /// The tenant's list, newest first, optionally for one number.
    func list(tenantID: UUID, number: String?, after: PageCursor?, limit: Int) async throws -> Page<OptOutEntry>
    /// A number's entries and its history, newest first (at most `historyLimit` changes).
    func number(tenantID: UUID, number: String, historyLimit: Int) async throws -> (entries: [OptOutEntry], history: [OptOutChange])
    /// Adds the entry; the existing one when the number already has this scope.
    func add(tenantID: UUID, number: String, scope: OptOutScope, cause: OptOutCause) async throws -> (entry: OptOutEntry, added: Bool)
    /// Removes the number's entry for `scope`; false when it had none.
    func remove(tenantID: UUID, number: String, scope: OptOutScope, cause: OptOutCause) async throws -> Bool
}

package protocol SendRulesRepository: Sendable {
    func get(tenantID: UUID) async throws -> SendRules
    func put(tenantID: UUID, _ rules: SendRules) async throws
}

/// The cap rows of numbers no window can count any more (migration 0033), removed across tenants.
package protocol NumberCapRepository: Sendable {
    /// Removes up to `limit` stale rows; how many were removed.
    func prune(limit: Int) async throws -> Int
}
