import Foundation
import Hummingbird
import SmsHubDomain

/// Messages are written by hand with `JSONWriter` rather than the API's snake_case encoder, so each
/// tenant's own `custom` object comes back exactly as stored (its `jsonb` text, written as is). One place
/// for the fields every message shape shares (the send response, one message, a page of them) and for
/// the response itself.
enum MessageJSON {
    static func fields(
        id: UUID,
        providerAccountID: UUID,
        content: String,
        extNo: String?,
        clientReference: String?,
        customJSON: String,
        category: TemplateCategory,
        createdAt: Date,
        redactedAt: Date?,
        into json: inout JSONWriter
    ) {
        json.key("id")
        json.uuid(id)
        json.key("provider_account_id")
        json.uuid(providerAccountID)
        json.key("content")
        json.string(content)
        json.field("ext_no", extNo)
        json.field("client_reference", clientReference)
        json.key("category")
        json.string(category.rawValue)
        // JSON already: the `jsonb` column's text, or the request's object as re-serialised on the way in.
        json.key("custom")
        json.raw(customJSON.utf8)
        json.key("created_at")
        json.time(createdAt)
        if let redactedAt {
            json.key("redacted_at")
            json.time(redactedAt)
        }
    }

    static func response(_ json: JSONWriter) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: json.bytes))
        )
    }
}

extension JSONWriter {
    /// A time as the API writes it (`RFC3339.format`).
    mutating func time(_ date: Date) {
        self.unescapedString { RFC3339.append(date, to: &$0) }
    }
}
