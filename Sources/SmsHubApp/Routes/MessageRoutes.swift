import Foundation
import HTTPTypes
import Hummingbird
import Logging
import SmsHubDomain

/// `POST /v1/messages`: accept an SMS for sending. Stored as `queued`; the dispatcher sends it.
struct MessageRoutes {
    let messages: any MessageRepository
    let send: SendMessage

    init(messages: any MessageRepository, accounts: any ProviderAccountRepository, routes: any RouteRepository, templates: any TemplateRepository) {
        self.messages = messages
        self.send = SendMessage(messages: messages, accounts: accounts, routes: routes, templates: templates)
    }

    /// Room for 10,000 recipients written out in full.
    static let maxBodySize = 1024 * 1024
    static let idempotencyKeyHeader = HTTPField.Name("Idempotency-Key")!

    func register(on group: RouterGroup<TenantRequestContext>) {
        group.post("messages", use: self.create)
        group.get("messages/:message_id", use: self.get)
    }

    @Sendable func create(request: Request, context: TenantRequestContext) async throws -> EditedResponse<MessageRepresentation> {
        let idempotencyKey = request.headers[Self.idempotencyKeyHeader]
        if let idempotencyKey, idempotencyKey.isEmpty || idempotencyKey.utf8.count > 255 {
            throw Problem.invalidParameter("Idempotency-Key", "Idempotency-Key must be 1 to 255 characters.")
        }
        // Read and parsed once; the input is taken from that parse.
        let body = try JSONBody.value(try await JSONBody.read(request, limit: Self.maxBodySize))
        let accepted: SendMessage.Accepted
        do {
            accepted = try await self.send(tenantID: context.tenant.tenantID, try SendMessageInput.read(body), idempotencyKey: idempotencyKey)
        } catch let error as SendMessageError {
            throw Self.problem(error)
        }
        if !accepted.replayed {
            context.logger.info(
                "message accepted",
                metadata: ["message_id": "\(accepted.message.id.apiString)", "recipients": "\(accepted.message.recipients.count)"]
            )
        }
        var headers: HTTPFields = [.location: "/v1/messages/\(accepted.message.id.apiString)"]
        if accepted.replayed { headers[HTTPField.Name("Idempotent-Replayed")!] = "true" }
        return EditedResponse(status: .accepted, headers: headers, response: MessageRepresentation(accepted.message, duplicates: accepted.duplicates))
    }

    static func problem(_ error: SendMessageError) -> Problem {
        switch error {
        case .malformed(let field, let reason):
            field == "body" ? Problem.invalidBody("The body \(reason).") : Problem.invalidBody(field: field, reason)
        case .invalid(let problems):
            Problem.validation(problems)
        case .idempotencyConflict:
            Problem(
                .conflict,
                code: "idempotency_conflict",
                title: "Idempotency key reused",
                detail: "This Idempotency-Key was used with a different request. Use a new key for a new message."
            )
        case .rateLimited(let wait, let reason):
            Problem(
                .tooManyRequests,
                code: "rate_limited",
                title: "Over a sending limit",
                detail: "The recipient is over \(reason); retry after \(wait) s. Nothing was stored.",
                headers: [.retryAfter: String(wait)]
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
                category: self.message.category,
                createdAt: self.message.createdAt,
                redactedAt: self.message.redactedAt,
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
