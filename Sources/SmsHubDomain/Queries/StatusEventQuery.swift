package import Foundation

package struct StatusEventFilter: Sendable, Equatable {
    package var received: TimeRange
    package var status: DeliveryState?
    package var providerAccountID: UUID?
    package var numberE164: String?
    package var providerMessageID: String?

    package init(
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
package struct StatusEventRecord: Sendable, Equatable {
    package var id: UUID
    package var providerAccountID: UUID
    package var provider: String
    package var recipientID: UUID?
    package var messageID: UUID?
    package var providerMessageID: String
    /// nil when the provider did not name the number; masked numbers have no E.164 form.
    package var number: PhoneNumber?
    package var status: DeliveryState
    package var statusCode: String?
    package var statusDescription: String?
    package var partSequence: Int?
    package var partTotal: Int?
    package var segments: Int?
    package var occurredAt: Date?
    package var receivedAt: Date
    package var source: String

    package init(
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
package struct RecipientHistory: Sendable, Equatable {
    package var messageID: UUID
    package var providerAccountID: UUID
    package var recipient: Recipient
    package var providerMessageID: String?
    package var createdAt: Date
    package var submittedAt: Date?
    package var sentAt: Date?
    package var completedAt: Date?
    package var events: [StatusEventRecord]
    /// The calls made for it through providers without an idempotency key, in order.
    package var attempts: [SendAttemptRecord] = []

    package init(
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

/// One call for one recipient through one account of its route (decision 0019).
package struct SendAttemptRecord: Sendable, Equatable {
    package var providerAccountID: UUID
    package var step: Int
    /// `calling`, `accepted`, `refused_account`, `refused_number` or `unknown`.
    package var outcome: String
    package var providerMessageID: String?
    package var code: String?
    package var description: String?
    package var createdAt: Date
    package var completedAt: Date?

    package init(
        providerAccountID: UUID,
        step: Int,
        outcome: String,
        providerMessageID: String?,
        code: String?,
        description: String?,
        createdAt: Date,
        completedAt: Date?
    ) {
        self.providerAccountID = providerAccountID
        self.step = step
        self.outcome = outcome
        self.providerMessageID = providerMessageID
        self.code = code
        self.description = description
        self.createdAt = createdAt
        self.completedAt = completedAt
    }
}
