package import Foundation

package struct ReplyFilter: Sendable, Equatable {
    package var received: TimeRange
    package var providerAccountID: UUID?
    package var numberE164: String?
    package var messageID: UUID?

    package init(received: TimeRange = .unbounded, providerAccountID: UUID? = nil, numberE164: String? = nil, messageID: UUID? = nil) {
        self.received = received
        self.providerAccountID = providerAccountID
        self.numberE164 = numberE164
        self.messageID = messageID
    }
}

package struct ReplyRecord: Sendable, Equatable {
    package var id: UUID
    package var providerAccountID: UUID
    package var provider: String
    package var providerMessageID: String?
    /// The message and recipient replied to, when the reply could be linked.
    package var messageID: UUID?
    package var recipientID: UUID?
    package var number: PhoneNumber
    package var content: String
    package var extNo: String?
    package var repliedAt: Date?
    package var receivedAt: Date
    package var source: String
    /// When retention redacted the content (now empty); nil while it is kept.
    package var redactedAt: Date? = nil

    package init(
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
