import Foundation

/// Filters of the message list. `status` and `number` select messages with at least one recipient
/// matching both; the others are the message's own fields.
public struct MessageFilter: Sendable, Equatable {
    public var created: TimeRange
    public var status: DeliveryState?
    public var providerAccountID: UUID?
    /// E.164; the API normalises whatever form the client wrote.
    public var numberE164: String?
    public var clientReference: String?

    public init(
        created: TimeRange = .unbounded,
        status: DeliveryState? = nil,
        providerAccountID: UUID? = nil,
        numberE164: String? = nil,
        clientReference: String? = nil
    ) {
        self.created = created
        self.status = status
        self.providerAccountID = providerAccountID
        self.numberE164 = numberE164
        self.clientReference = clientReference
    }
}

/// A message as lists show it: without its recipients, which may number thousands.
public struct MessageSummary: Sendable, Equatable {
    public var id: UUID
    public var providerAccountID: UUID
    public var content: String
    public var extNo: String?
    public var clientReference: String?
    public var customJSON: String
    public var createdAt: Date
    public var recipientCount: Int
    /// When retention redacted the content (now empty); nil while it is kept.
    public var redactedAt: Date? = nil

    public init(
        id: UUID,
        providerAccountID: UUID,
        content: String,
        extNo: String?,
        clientReference: String?,
        customJSON: String,
        createdAt: Date,
        recipientCount: Int
    ) {
        self.id = id
        self.providerAccountID = providerAccountID
        self.content = content
        self.extNo = extNo
        self.clientReference = clientReference
        self.customJSON = customJSON
        self.createdAt = createdAt
        self.recipientCount = recipientCount
    }
}
