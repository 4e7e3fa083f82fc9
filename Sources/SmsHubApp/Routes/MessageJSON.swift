import Foundation
import Hummingbird
import SmsHubDomain

struct UnrepresentableJSON: Error {}

/// Messages are written as dictionaries through `CanonicalJSON` rather than the API's snake_case
/// encoder, so each tenant's own `custom` keys come back exactly as sent. One place for the fields every message shape
/// shares (the send response, one message, a page of them) and for the response itself.
enum MessageJSON {
    static func fields(id: UUID, providerAccountID: UUID, content: String, extNo: String?, clientReference: String?, customJSON: String, createdAt: Date) -> [String: Any] {
        var object: [String: Any] = [
            "id": id.apiString,
            "provider_account_id": providerAccountID.apiString,
            "content": content,
            "custom": (try? JSONSerialization.jsonObject(with: Data(customJSON.utf8))) as? [String: Any] ?? [:],
            "created_at": RFC3339.format(createdAt),
        ]
        if let extNo { object["ext_no"] = extNo }
        if let clientReference { object["client_reference"] = clientReference }
        return object
    }

    /// Written by `CanonicalJSON`: JSONSerialization's bridged, locale-sorted writer took two thirds of
    /// the service's CPU answering a send to 1,000 recipients.
    static func response(_ object: [String: Any]) throws -> Response {
        guard let data = CanonicalJSON.bytes(object) else { throw UnrepresentableJSON() }
        return Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: data))
        )
    }
}
