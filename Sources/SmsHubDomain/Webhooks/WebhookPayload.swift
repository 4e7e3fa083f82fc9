package import Foundation

/// The body of a delivery, as the Standard Webhooks specification shapes it: the type, when the change
/// happened, and the event's data. The same bytes on every retry, so the signature over them holds.
package enum WebhookPayload {
    package static func body(type: String, occurredAt: Date, data: String) -> [UInt8] {
        var writer = JSONWriter()
        writer.object { object in
            object.field("type", type)
            object.key("timestamp")
            object.unescapedString { RFC3339.append(occurredAt, to: &$0) }
            object.key("data")
            object.raw(data.utf8)
        }
        return writer.bytes
    }

    /// `webhook-id`: the event's id, the same on every delivery and retry of it, so receivers can
    /// drop repeats.
    package static func id(_ eventID: UUID) -> String {
        // Written from the bytes: through `uuidString` it cost a formatted print and string bridging per delivery.
        let hex = Array("0123456789abcdef".utf8)
        var out = Array("evt_".utf8)
        out.reserveCapacity(36)
        withUnsafeBytes(of: eventID.uuid) { bytes in
            for byte in bytes {
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0f)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
