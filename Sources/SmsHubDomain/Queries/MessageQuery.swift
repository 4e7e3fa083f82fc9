package import Foundation

/// Filters of the message list. `status` and `number` select messages with at least one recipient
/// matching both; the others are the message's own fields.
package struct MessageFilter: Sendable, Equatable {
    package var created: TimeRange
    package var status: DeliveryState?
    package var providerAccountID: UUID?
    /// E.164; the API normalises whatever form the client wrote.
    package var numberE164: String?
    package var clientReference: String?

    package init(
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
package struct MessageSummary: Sendable, Equatable {
    package var id: UUID
    package var providerAccountID: UUID
    package var content: String
    package var extNo: String?
    package var clientReference: String?
    package var customJSON: String
    package var createdAt: Date
    package var recipientCount: Int
    /// When retention redacted the content (now empty); nil while it is kept.
    package var redactedAt: Date? = nil
    package var category: TemplateCategory = .notification

    package init(
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
