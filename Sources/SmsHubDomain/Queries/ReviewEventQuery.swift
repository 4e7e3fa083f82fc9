import Foundation

public struct ReviewEventFilter: Sendable, Equatable {
    public var received: TimeRange
    public var providerAccountID: UUID?
    public var kind: ReviewResult.Kind?
    /// The template id, or the signature, reviewed.
    public var subject: String?
    public var result: ReviewResult.Result?

    public init(
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

public struct ReviewEventRecord: Sendable, Equatable {
    public var id: UUID
    public var providerAccountID: UUID
    public var provider: String
    public var kind: ReviewResult.Kind
    public var subject: String
    public var result: ReviewResult.Result
    public var reason: String?
    public var occurredAt: Date?
    public var receivedAt: Date

    public init(
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
