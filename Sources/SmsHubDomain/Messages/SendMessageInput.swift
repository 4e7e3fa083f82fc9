package import Foundation

/// The body of `POST /v1/messages`, read from the one parse of the request (`JSONReader`), with the
/// shapes checked field by field: a wrong shape is `malformed` (400) naming the field, a rule broken by
/// a well-formed value is left to `SendRequestRules` (422).
package struct SendMessageInput: Sendable, Equatable {
    package var providerAccountID: UUID?
    package var routeID: UUID?
    /// A hub template to render with `variables`, instead of `content`.
    package var templateID: UUID?
    package var variables: [String: String]?
    /// `verification`, `notification` or `marketing` as written; a template's own category otherwise.
    package var category: String?
    package var recipients: [String]
    package var content: String
    package var extNo: String?
    package var clientReference: String?
    /// `custom` as stored: canonical JSON text, `{}` when absent.
    package var customJSON: String

    package init(
        providerAccountID: UUID? = nil,
        recipients: [String],
        content: String,
        extNo: String? = nil,
        clientReference: String? = nil,
        customJSON: String = "{}"
    ) {
        self.providerAccountID = providerAccountID
        self.recipients = recipients
        self.content = content
        self.extNo = extNo
        self.clientReference = clientReference
        self.customJSON = customJSON
    }

    package static func read(_ body: JSONValue) throws(SendMessageError) -> SendMessageInput {
        guard case .object = body else { throw .malformed(field: "body", reason: "must be a JSON object") }
        var accountID: UUID?
        if let text = try optionalString(body, "provider_account_id") {
            guard let id = UUID(uuidString: text) else { throw .malformed(field: "provider_account_id", reason: "must be a UUID") }
            accountID = id
        }
        guard let list = body["recipients"], list != .null else { throw .malformed(field: "recipients", reason: "is required") }
        guard case .array(let elements) = list else { throw .malformed(field: "recipients", reason: "must be an array of strings") }
        var recipients: [String] = []
        recipients.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            guard case .string(let number) = element else { throw .malformed(field: "recipients[\(index)]", reason: "must be a string") }
            recipients.append(number)
        }
        let routeID = try optionalUUID(body, "route_id")
        let templateID = try optionalUUID(body, "template_id")
        var variables: [String: String]?
        switch body["variables"] {
        case nil, .null?: break
        case .object(let members)?:
            var values: [String: String] = [:]
            for member in members {
                guard case .string(let value) = member.value else {
                    throw .malformed(field: "variables.\(member.key.prefix(utf8Bytes: 64))", reason: "must be a string")
                }
                values[member.key] = value
            }
            variables = values
        default: throw .malformed(field: "variables", reason: "must be an object of strings")
        }
        let content = try optionalString(body, "content")
        if templateID == nil, content == nil { throw .malformed(field: "content", reason: "is required unless template_id is given") }
        if templateID != nil, content != nil { throw .malformed(field: "content", reason: "must be absent when template_id is given") }
        if templateID == nil, variables != nil { throw .malformed(field: "variables", reason: "needs template_id") }
        var input = SendMessageInput(
            providerAccountID: accountID,
            recipients: recipients,
            content: content ?? "",
            extNo: try optionalString(body, "ext_no"),
            clientReference: try optionalString(body, "client_reference"),
            customJSON: try CustomData.canonicalText(body["custom"])
        )
        input.routeID = routeID
        input.category = try optionalString(body, "category")
        input.templateID = templateID
        input.variables = templateID == nil ? nil : (variables ?? [:])
        return input
    }

    private static func optionalUUID(_ body: JSONValue, _ key: String) throws(SendMessageError) -> UUID? {
        guard let text = try optionalString(body, key) else { return nil }
        guard let id = UUID(uuidString: text) else { throw .malformed(field: key, reason: "must be a UUID") }
        return id
    }

    private static func optionalString(_ body: JSONValue, _ key: String) throws(SendMessageError) -> String? {
        switch body[key] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        default: throw .malformed(field: key, reason: "must be a string")
        }
    }
}

package enum SendMessageError: Error, Sendable, Equatable {
    /// The body's shape is wrong (400): the field and what is wrong, never its value.
    case malformed(field: String, reason: String)
    /// Well-formed values that break a rule (422).
    case invalid([FieldProblem])
    /// The idempotency key was used with a different request (409).
    case idempotencyConflict
    /// The one recipient is over a frequency cap or the tenant's quota (429): nothing was stored.
    case rateLimited(retryAfter: Int, reason: String)
}
