import Cryptography
import Foundation

/// A webhook endpoint's signing secret in the Standard Webhooks form: `whsec_` and the base64 of the
/// key bytes. The bytes are the HMAC key; the text is what the tenant is shown once.
public struct WebhookSecret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    package static let prefix = "whsec_"
    public let key: [UInt8]

    /// 24 random bytes, as the specification's own libraries make them.
    package static func generate() -> WebhookSecret {
        WebhookSecret(key: SecureRandom.bytes(24))
    }

    init(key: [UInt8]) {
        self.key = key
    }

    /// Reads `whsec_<base64>` (24 to 64 key bytes); nil for anything else.
    public init?(_ text: String) {
        guard text.hasPrefix(Self.prefix), let data = Data(base64Encoded: String(text.dropFirst(Self.prefix.count))),
            (24...64).contains(data.count)
        else { return nil }
        self.key = Array(data)
    }

    /// The secret as shown to the tenant, once.
    public var text: String { Self.prefix + Data(self.key).base64EncodedString() }

    /// Never the key: a secret printed by accident says only what it is.
    public var description: String { "WebhookSecret(redacted)" }
    public var debugDescription: String { self.description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

/// Signatures of webhook deliveries as the Standard Webhooks specification defines them: HMAC-SHA256
/// over `<id>.<timestamp>.<body>`, sent as `v1,<base64>` in `webhook-signature`; during a secret's
/// rotation, one signature per secret, separated by spaces, so receivers holding either verify.
public enum WebhookSignature {
    public static func sign(id: String, timestamp: Int64, body: [UInt8], secret: WebhookSecret) -> String {
        var message = Array("\(id).\(timestamp).".utf8)
        message += body
        return "v1," + Data(HMAC.sha256(key: secret.key, message: message)).base64EncodedString()
    }

    /// The `webhook-signature` header for a delivery signed with each of `secrets` (the current one,
    /// and the previous one while a rotation overlaps).
    package static func header(id: String, timestamp: Int64, body: [UInt8], secrets: [WebhookSecret]) -> String {
        secrets.map { self.sign(id: id, timestamp: timestamp, body: body, secret: $0) }.joined(separator: " ")
    }

    /// Whether `header` carries a valid `v1` signature by `secret`, for a timestamp within `tolerance`
    /// of `now` (what a receiver checks; the hub's tests play the receiver).
    public static func verify(
        header: String,
        id: String,
        timestamp: Int64,
        body: [UInt8],
        secret: WebhookSecret,
        now: Int64,
        tolerance: Int64 = 300
    ) -> Bool {
        guard timestamp.subtractingReportingOverflow(now).partialValue.magnitude <= tolerance.magnitude,
            !timestamp.subtractingReportingOverflow(now).overflow
        else { return false }
        let expected = Array(self.sign(id: id, timestamp: timestamp, body: body, secret: secret).utf8)
        return header.split(separator: " ").contains { ConstantTime.equals(Array($0.utf8), expected) }
    }
}
