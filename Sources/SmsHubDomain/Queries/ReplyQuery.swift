import Foundation

public struct ReplyFilter: Sendable, Equatable {
    public var received: TimeRange
    public var providerAccountID: UUID?
    public var numberE164: String?
    public var messageID: UUID?

    public init(received: TimeRange = .unbounded, providerAccountID: UUID? = nil, numberE164: String? = nil, messageID: UUID? = nil) {
        self.received = received
        self.providerAccountID = providerAccountID
        self.numberE164 = numberE164
        self.messageID = messageID
    }
}

public struct ReplyRecord: Sendable, Equatable {
    public var id: UUID
    public var providerAccountID: UUID
    public var provider: String
    public var providerMessageID: String?
    /// The message and recipient replied to, when the reply could be linked.
    public var messageID: UUID?
    public var recipientID: UUID?
    public var number: PhoneNumber
    public var content: String
    public var extNo: String?
    public var repliedAt: Date?
    public var receivedAt: Date
    public var source: String
    /// When retention redacted the content (now empty); nil while it is kept.
    public var redactedAt: Date? = nil

    public init(
        id: UUID,
        providerAccountID: UUID,
        provider: String,
        providerMessageID: String?,
        messageID: UUID?,
        recipientID: UUID?,
        number: PhoneNumber,
        content: String,
        extNo: String?,
        repliedAt: Date?,
        receivedAt: Date,
        source: String
    ) {
        self.id = id
        self.providerAccountID = providerAccountID
        self.provider = provider
        self.providerMessageID = providerMessageID
        self.messageID = messageID
        self.recipientID = recipientID
        self.number = number
        self.content = content
        self.extNo = extNo
        self.repliedAt = repliedAt
        self.receivedAt = receivedAt
        self.source = source
    }
}
