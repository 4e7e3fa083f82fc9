import Foundation
package import Hummingbird
package import SmsHubDomain

/// An RFC 9457 problem: every error response of the service has this shape and
/// `application/problem+json`. `code` is stable for clients to branch on; `type` is `/problems/{code}`.
package struct Problem: Error, HTTPResponseError, Sendable {
    package var status: HTTPResponse.Status
    package var code: String
    package var title: String
    package var detail: String?
    /// Per-field messages for validation failures.
    package var errors: [FieldError]
    package var headers: HTTPFields

    /// The domain's field problems are the API's per-field errors, written as they are.
    package typealias FieldError = FieldProblem

    package init(
        _ status: HTTPResponse.Status,
        code: String,
        title: String,
        detail: String? = nil,
        errors: [FieldError] = [],
        headers: HTTPFields = [:]
    ) {
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.errors = errors
        self.headers = headers
    }

    package func response(from request: Request, context: some RequestContext) throws -> Response {
        self.response(requestID: context.id)
    }

    func response(requestID: String?) -> Response {
        let body = Body(
            type: "/problems/\(self.code)",
            title: self.title,
            status: Int(self.status.code),
            detail: self.detail,
            code: self.code,
            requestId: requestID,
            errors: self.errors.isEmpty ? nil : self.errors
        )
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(body)) ?? Data("{}".utf8)
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        return Response(status: self.status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    struct Body: Codable {
        var type: String
        var title: String
        var status: Int
        var detail: String?
        var code: String
        var requestId: String?
        var errors: [FieldError]?
    }
}

extension Problem {
    package static func unauthorized(_ detail: String) -> Problem {
        Problem(.unauthorized, code: "unauthorized", title: "Authentication required", detail: detail, headers: [.wwwAuthenticate: "Bearer"])
    }

    package static func forbidden(code: String = "forbidden", _ detail: String) -> Problem {
        Problem(.forbidden, code: code, title: "Forbidden", detail: detail)
    }

    package static func notFound(_ detail: String = "No resource exists at this path.") -> Problem {
        Problem(.notFound, code: "not_found", title: "Not found", detail: detail)
    }

    package static func methodNotAllowed(allowed: [HTTPRequest.Method]) -> Problem {
        let list = allowed.map(\.rawValue).sorted().joined(separator: ", ")
        return Problem(
            .methodNotAllowed,
            code: "method_not_allowed",
            title: "Method not allowed",
            detail: "This path accepts: \(list).",
            headers: [.allow: list]
        )
    }

    package static func payloadTooLarge(limit: Int) -> Problem {
        Problem(.contentTooLarge, code: "payload_too_large", title: "Request body too large", detail: "The body may be at most \(limit) bytes.")
    }

    package static func unsupportedMediaType(expected: String) -> Problem {
        Problem(.unsupportedMediaType, code: "unsupported_media_type", title: "Unsupported media type", detail: "Send the body as \(expected).")
    }

    package static func invalidBody(_ detail: String) -> Problem {
        Problem(.badRequest, code: "invalid_body", title: "Malformed request body", detail: detail)
    }

    /// A 400 naming the member of the body at fault (`custom.big`, `status.status_data.sms_ids[3]`).
    package static func invalidBody(field: String, _ message: String) -> Problem {
        Problem(
            .badRequest,
            code: "invalid_body",
            title: "Malformed request body",
            detail: "\(field) \(message)",
            errors: [FieldError(field: field, message: message)]
        )
    }

    package static func invalidParameter(_ name: String, _ detail: String) -> Problem {
        Problem(
            .badRequest,
            code: "invalid_parameter",
            title: "Invalid parameter",
            detail: detail,
            errors: [FieldError(field: name, message: detail)]
        )
    }

    package static func validation(_ errors: [FieldError]) -> Problem {
        Problem(
            .unprocessableContent,
            code: "validation_failed",
            title: "Validation failed",
            detail: errors.map { "\($0.field): \($0.message)" }.joined(separator: "; "),
            errors: errors
        )
    }

    /// The trimmed name, or a 422 naming `field` when it breaks `NameRules`.
    static func requireName(_ name: String, field: String = "name") throws -> String {
        guard let normalised = NameRules.normalise(name) else {
            throw Problem.validation([NameRules.problem(field: field)])
        }
        return normalised
    }

    package static func unavailable(_ detail: String) -> Problem {
        Problem(.serviceUnavailable, code: "service_unavailable", title: "Service unavailable", detail: detail, headers: [.retryAfter: "1"])
    }

    package static let internalError = Problem(
        .internalServerError,
        code: "internal_error",
        title: "Internal error",
        detail: "The request failed on the server; quote the request_id when reporting it."
    )
}
