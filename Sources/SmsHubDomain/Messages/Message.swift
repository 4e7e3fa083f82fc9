package import Foundation

/// One send request and its recipients, as stored.
package struct Message: Sendable, Equatable {
    package var id: UUID
    package var tenantID: UUID
    package var providerAccountID: UUID
    package var content: String
    package var extNo: String?
    package var clientReference: String?
    /// The tenant's own fields, as a JSON object's text.
    package var customJSON: String
    package var createdAt: Date
    package var recipients: [Recipient]
    /// When retention redacted the content (now empty); nil while it is kept.
    package var redactedAt: Date? = nil
    package var category: TemplateCategory = .notification

    package init(
        id: UUID,
        tenantID: UUID,
        providerAccountID: UUID,
        content: String,
        extNo: String?,
        clientReference: String?,
        customJSON: String,
        createdAt: Date,
        recipients: [Recipient],
        category: TemplateCategory = .notification
    ) {
        self.category = category
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

package struct Recipient: Sendable, Equatable {
    package var id: UUID
    package var number: PhoneNumber
    package var status: DeliveryState
    package var statusCode: String?
    package var statusDescription: String?
    package var statusAt: Date?

    package init(
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
