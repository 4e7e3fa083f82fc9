package import Foundation

package struct ReviewEventFilter: Sendable, Equatable {
    package var received: TimeRange
    package var providerAccountID: UUID?
    package var kind: ReviewResult.Kind?
    /// The template id, or the signature, reviewed.
    package var subject: String?
    package var result: ReviewResult.Result?

    package init(
        received: TimeRange = .unbounded,
        providerAccountID: UUID? = nil,
        kind: ReviewResult.Kind? = nil,
        subject: String? = nil,
        result: ReviewResult.Result? = nil
    ) {
        self.received = received
        self.providerAccountID = providerAccountID
        self.kind = kind
        self.subject = subject
        self.result = result
    }
}

package struct ReviewEventRecord: Sendable, Equatable {
    package var id: UUID
    package var providerAccountID: UUID
    package var provider: String
    package var kind: ReviewResult.Kind
    package var subject: String
    package var result: ReviewResult.Result
    package var reason: String?
    package var occurredAt: Date?
    package var receivedAt: Date

    package init(
        id: UUID,
        providerAccountID: UUID,
        provider: String,
        kind: ReviewResult.Kind,
        subject: String,
        result: ReviewResult.Result,
        reason: String?,
        occurredAt: Date?,
        receivedAt: Date
    ) {
        self.id = id
        self.providerAccountID = providerAccountID
        self.provider = provider
        self.kind = kind
        self.subject = subject
        self.result = result
        self.reason = reason
        self.occurredAt = occurredAt
        self.receivedAt = receivedAt
    }
}
