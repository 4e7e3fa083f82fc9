import Cryptography
import Foundation
import HTTPTypes
import Hummingbird
import SmsHubDomain

/// `POST /v1/messages`: accept an SMS for sending. Stored as `queued`; the dispatcher sends it.
struct MessageRoutes {
    let messages: any MessageRepository
    let accounts: any ProviderAccountRepository

    /// Room for 10,000 recipients written out in full.
    static let maxBodySize = 1024 * 1024
    static let idempotencyKeyHeader = HTTPField.Name("Idempotency-Key")!

    func register(on group: RouterGroup<TenantRequestContext>) {
        group.post("messages", use: self.create)
        group.get("messages/:message_id", use: self.get)
    }

    struct SendRequest: Decodable {
        var providerAccountId: UUID?
        var recipients: [String]
        var content: String
        var extNo: String?
        var clientReference: String?
    }

    @Sendable func create(request: Request, context: TenantRequestContext) async throws -> EditedResponse<MessageRepresentation> {
        let tenantID = context.tenant.tenantID
        let idempotencyKey = request.headers[Self.idempotencyKeyHeader]
        if let idempotencyKey, idempotencyKey.isEmpty || idempotencyKey.utf8.count > 255 {
            throw Problem.invalidParameter("Idempotency-Key", "Idempotency-Key must be 1 to 255 characters.")
        }
        let data = try await JSONBody.read(request, limit: Self.maxBodySize)
        let document = try JSONBody.value(data)
        let body = try JSONBody.decodeChecked(SendRequest.self, from: data)
        let customJSON = try CustomData.canonicalText(document["custom"])

        let validated: SendRequestRules.Validated
        switch SendRequestRules.validate(recipients: body.recipients, content: body.content, extNo: body.extNo, clientReference: body.clientReference)
        {
        case .success(let value): validated = value
        case .failure(let invalid): throw Problem.validation(invalid.problems)
        }
        let account = try await self.account(body.providerAccountId, tenantID: tenantID)

        let message = NewMessage(
            id: UUID(),
            tenantID: tenantID,
            providerAccountID: account.id,
            content: validated.content,
            extNo: validated.extNo,
            clientReference: validated.clientReference,
            customJSON: customJSON,
            idempotencyKey: idempotencyKey,
            fingerprint: SendRequestRules.fingerprint(
                accountID: body.providerAccountId,
                recipients: body.recipients,
                content: body.content,
                extNo: body.extNo,
                clientReference: body.clientReference,
                customJSON: customJSON
            ),
            recipients: zip(SecureRandom.uuids(validated.numbers.count), validated.numbers).map { Recipient(id: $0, number: $1, status: .queued) }
        )
        switch try await self.messages.create(message) {
        case .created(let stored):
            context.logger.info(
                "message accepted",
                metadata: ["message_id": "\(stored.id.uuidString.lowercased())", "recipients": "\(stored.recipients.count)"]
            )
            return Self.accepted(stored, duplicates: validated.duplicates, replayed: false)
        case .replayed(let stored):
            return Self.accepted(stored, duplicates: validated.duplicates, replayed: true)
        case .keyConflict:
            throw Problem(
                .conflict,
                code: "idempotency_conflict",
                title: "Idempotency key reused",
                detail: "This Idempotency-Key was used with a different request. Use a new key for a new message."
            )
        }
    }

    @Sendable func get(request: Request, context: TenantRequestContext) async throws -> MessageRepresentation {
        _ = try QueryParameters(request, allowed: [])
        let id = try context.parameters.uuid("message_id")
        guard let message = try await self.messages.get(tenantID: context.tenant.tenantID, id: id) else {
            throw Problem.notFound("No message has this id.")
        }
        return MessageRepresentation(message, duplicates: nil)
    }

    static func accepted(_ message: Message, duplicates: [String], replayed: Bool) -> EditedResponse<MessageRepresentation> {
        var headers: HTTPFields = [.location: "/v1/messages/\(message.id.uuidString.lowercased())"]
        if replayed { headers[HTTPField.Name("Idempotent-Replayed")!] = "true" }
        return EditedResponse(status: .accepted, headers: headers, response: MessageRepresentation(message, duplicates: duplicates))
    }

    func account(_ id: UUID?, tenantID: UUID) async throws -> ProviderAccount {
        let account: ProviderAccount
        if let id {
            guard let found = try await self.accounts.get(tenantID: tenantID, id: id) else {
                throw Problem.validation([.init(field: "provider_account_id", message: "names no provider account of this tenant")])
            }
            account = found
        } else {
            guard let found = try await self.messages.defaultAccount(tenantID: tenantID, provider: .gateway) else {
                throw Problem.validation([.init(field: "provider_account_id", message: "is required: the tenant has no default gateway account")])
            }
            account = found
        }
        guard account.provider == .gateway else {
            throw Problem.validation([.init(field: "provider_account_id", message: "must be a gateway account: sending goes through the Gateway API")]
            )
        }
        guard account.status == .active else {
            throw Problem.validation([.init(field: "provider_account_id", message: "names a disabled account")])
        }
        return account
    }
}

/// One message with its recipients (the send response, and `GET /v1/messages/{id}`); see `MessageJSON`.
struct MessageRepresentation: ResponseGenerator {
    let message: Message
    /// Numbers left out because an earlier entry was the same number, as written (send responses only).
    let duplicates: [String]?

    init(_ message: Message, duplicates: [String]?) {
        self.message = message
        self.duplicates = duplicates
    }

    var json: JSONWriter {
        var json = JSONWriter(capacity: 512 + self.message.recipients.count * 160)
        json.object { json in
            MessageJSON.fields(
                id: self.message.id,
                providerAccountID: self.message.providerAccountID,
                content: self.message.content,
                extNo: self.message.extNo,
                clientReference: self.message.clientReference,
                customJSON: self.message.customJSON,
                createdAt: self.message.createdAt,
                into: &json
            )
            json.key("recipients")
            json.array { json in
                for recipient in self.message.recipients {
                    json.object { json in
                        json.key("id")
                        json.uuid(recipient.id)
                        json.key("number")
                        json.string(recipient.number.raw)
                        json.field("number_e164", recipient.number.e164)
                        json.key("status")
                        json.string(recipient.status.rawValue)
                        json.field("status_code", recipient.statusCode)
                        json.field("status_description", recipient.statusDescription)
                        if let at = recipient.statusAt {
                            json.key("status_at")
                            json.time(at)
                        }
                    }
                }
            }
            if let duplicates = self.duplicates {
                json.key("duplicates_removed")
                json.array { json in
                    for number in duplicates { json.string(number) }
                }
            }
        }
        return json
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        MessageJSON.response(self.json)
    }
}
