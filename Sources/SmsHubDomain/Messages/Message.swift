import Foundation

/// One send request and its recipients, as stored.
public struct Message: Sendable, Equatable {
    public var id: UUID
    public var tenantID: UUID
    public var providerAccountID: UUID
    public var content: String
    public var extNo: String?
    public var clientReference: String?
    /// The tenant's own fields, as a JSON object's text.
    public var customJSON: String
    public var createdAt: Date
    public var recipients: [Recipient]
    /// When retention redacted the content (now empty); nil while it is kept.
    public var redactedAt: Date? = nil

    public init(
        id: UUID,
        tenantID: UUID,
        providerAccountID: UUID,
        content: String,
        extNo: String?,
        clientReference: String?,
        customJSON: String,
        createdAt: Date,
        recipients: [Recipient]
    ) {
        self.id = id
        self.tenantID = tenantID
        self.providerAccountID = providerAccountID
        self.content = content
        self.extNo = extNo
        self.clientReference = clientReference
        self.customJSON = customJSON
        self.createdAt = createdAt
        self.recipients = recipients
    }
}

public struct Recipient: Sendable, Equatable {
    public var id: UUID
    public var number: PhoneNumber
    public var status: DeliveryState
    public var statusCode: String?
    public var statusDescription: String?
    public var statusAt: Date?

    public init(
        id: UUID,
        number: PhoneNumber,
        status: DeliveryState,
        statusCode: String? = nil,
        statusDescription: String? = nil,
        statusAt: Date? = nil
    ) {
        self.id = id
        self.number = number
        self.status = status
        self.statusCode = statusCode
        self.statusDescription = statusDescription
        self.statusAt = statusAt
    }
}
