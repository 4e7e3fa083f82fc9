package import Foundation

package struct NewMessage: Sendable {
    package var id: UUID
    package var tenantID: UUID
    package var providerAccountID: UUID
    package var content: String
    package var extNo: String?
    package var clientReference: String?
    package var customJSON: String
    package var idempotencyKey: String?
    package var fingerprint: [UInt8]
    package var recipients: [Recipient]
    /// The accounts the message may go through, in order: the route's, or the one account named.
    package var routeAccountIDs: [UUID] = []
    package var templateID: UUID?
    /// The template's values as a JSON object, when the message named a template.
    package var templateValuesJSON: String?
    /// The template's category, or the one the request named.
    package var category: TemplateCategory = .notification

    package init(
        id: UUID,
        tenantID: UUID,
        providerAccountID: UUID,
        content: String,
        extNo: String?,
        clientReference: String?,
        customJSON: String,
        idempotencyKey: String?,
        fingerprint: [UInt8],
        recipients: [Recipient]
    ) {
        self.id = id
        self.tenantID = tenantID
        self.providerAccountID = providerAccountID
        self.content = content
        self.extNo = extNo
        self.clientReference = clientReference
        self.customJSON = customJSON
        self.idempotencyKey = idempotencyKey
        self.fingerprint = fingerprint
        self.recipients = recipients
    }
}

package enum CreateMessageOutcome: Sendable {
    case created(Message)
    /// The idempotency key was used before with the same request: the first result.
    case replayed(Message)
    /// The idempotency key was used before with a different request.
    case keyConflict
    /// The message's one recipient is over a cap or quota: nothing was stored.
    case rateLimited(retryAfter: Int, reason: String)
}

package protocol MessageRepository: Sendable {
    /// Stores the message and its recipients (all `queued`) in one transaction.
    func create(_ message: NewMessage) async throws -> CreateMessageOutcome
    /// One message with its recipients' current states; nil when the tenant has no such message.
    func get(tenantID: UUID, id: UUID) async throws -> Message?
    /// The tenant's default account for `provider`, if any (active or not).
    func defaultAccount(tenantID: UUID, provider: Provider) async throws -> ProviderAccount?
}
