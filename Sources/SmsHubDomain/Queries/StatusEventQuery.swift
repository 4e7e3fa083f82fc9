import Foundation

public struct StatusEventFilter: Sendable, Equatable {
    public var received: TimeRange
    public var status: DeliveryState?
    public var providerAccountID: UUID?
    public var numberE164: String?
    public var providerMessageID: String?

    public init(
        received: TimeRange = .unbounded,
        status: DeliveryState? = nil,
        providerAccountID: UUID? = nil,
        numberE164: String? = nil,
        providerMessageID: String? = nil
    ) {
        self.received = received
        self.status = status
        self.providerAccountID = providerAccountID
        self.numberE164 = numberE164
        self.providerMessageID = providerMessageID
    }
}

/// One stored status report, pushed or pulled, with the provider's own code and its description.
public struct StatusEventRecord: Sendable, Equatable {
    public var id: UUID
    public var providerAccountID: UUID
    public var provider: String
    public var recipientID: UUID?
    public var messageID: UUID?
    public var providerMessageID: String
    /// nil when the provider did not name the number; masked numbers have no E.164 form.
    public var number: PhoneNumber?
    public var status: DeliveryState
    public var statusCode: String?
    public var statusDescription: String?
    public var partSequence: Int?
    public var partTotal: Int?
    public var segments: Int?
    public var occurredAt: Date?
    public var receivedAt: Date
    public var source: String

    public init(
        id: UUID,
        providerAccountID: UUID,
        provider: String,
        recipientID: UUID?,
        messageID: UUID?,
        providerMessageID: String,
        number: PhoneNumber?,
        status: DeliveryState,
        statusCode: String?,
        statusDescription: String?,
        partSequence: Int?,
        partTotal: Int?,
        segments: Int?,
        occurredAt: Date?,
        receivedAt: Date,
        source: String
    ) {
        self.id = id
        self.providerAccountID = providerAccountID
        self.provider = provider
        self.recipientID = recipientID
        self.messageID = messageID
        self.providerMessageID = providerMessageID
        self.number = number
        self.status = status
        self.statusCode = statusCode
        self.statusDescription = statusDescription
        self.partSequence = partSequence
        self.partTotal = partTotal
        self.segments = segments
        self.occurredAt = occurredAt
        self.receivedAt = receivedAt
        self.source = source
    }
}

/// One recipient's current state, its lifecycle times and every status received for it, oldest first.
public struct RecipientHistory: Sendable, Equatable {
    public var messageID: UUID
    public var providerAccountID: UUID
    public var recipient: Recipient
    public var providerMessageID: String?
    public var createdAt: Date
    public var submittedAt: Date?
    public var sentAt: Date?
    public var completedAt: Date?
    public var events: [StatusEventRecord]

    public init(
        messageID: UUID,
        providerAccountID: UUID,
        recipient: Recipient,
        providerMessageID: String?,
        createdAt: Date,
        submittedAt: Date?,
        sentAt: Date?,
        completedAt: Date?,
        events: [StatusEventRecord]
    ) {
        self.messageID = messageID
        self.providerAccountID = providerAccountID
        self.recipient = recipient
        self.providerMessageID = providerMessageID
        self.createdAt = createdAt
        self.submittedAt = submittedAt
        self.sentAt = sentAt
        self.completedAt = completedAt
        self.events = events
    }
}
