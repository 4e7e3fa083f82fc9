import Cryptography
package import Foundation

/// SMSHook verification (docs/providers.md §2.1): lowercase hex MD5 of timestamp + app key + secret, the
/// header strings exactly as received, compared in constant time.
package enum EngageLabSignature {
    package static func expected(timestamp: String, appKey: String, secret: String) -> String {
        Digest.md5.hex(timestamp + appKey + secret)
    }

    package static func verify(_ request: CallbackRequest, appKey: String, secret: String) throws(CallbackError) {
        guard let signature = request.headers["x-smshook-signature"], !signature.isEmpty else {
            throw .signature("X-SMSHook-Signature header is missing")
        }
        guard let timestamp = request.headers["x-smshook-timestamp"], !timestamp.isEmpty else {
            throw .signature("X-SMSHook-Timestamp header is missing")
        }
        guard let presentedKey = request.headers["x-smshook-appkey"], !presentedKey.isEmpty else {
            throw .signature("X-SMSHook-AppKey header is missing")
        }
        guard ConstantTime.equals(presentedKey, appKey) else {
            throw .signature("X-SMSHook-AppKey does not match this account")
        }
        let computed = expected(timestamp: timestamp, appKey: presentedKey, secret: secret)
        guard ConstantTime.equals(computed, signature.lowercased()) else {
            throw .signature("X-SMSHook-Signature does not verify")
        }
        if let receivedAt = request.receivedAt { try self.fresh(timestamp, at: receivedAt) }
    }

    /// How far a signed timestamp may lie before the time a request arrives, and after it. EngageLab
    /// resends a callback not answered within 3 s and documents no schedule; a day covers a day's
    /// outage of the hub, and a replay inside it is a duplicate the stored event's key acknowledges
    /// without storing (docs/decisions/0015-replayed-callbacks.md).
    package static let maximumAge: TimeInterval = 24 * 3600
    package static let maximumSkew: TimeInterval = 5 * 60

    /// The signature covers the timestamp: a request presented outside the window around it is a
    /// captured one replayed, and refused like a bad signature.
    static func fresh(_ timestamp: String, at receivedAt: Date) throws(CallbackError) {
        // Milliseconds as EngageLab writes them; ten digits or fewer read as seconds.
        guard timestamp.utf8.count <= 16, let value = ASCIIDigits.value(timestamp.utf8) else {
            throw .signature("X-SMSHook-Timestamp is not epoch milliseconds")
        }
        let signedAt = Double(value) / (timestamp.utf8.count > 10 ? 1000 : 1)
        let age = receivedAt.timeIntervalSince1970 - signedAt
        guard age <= maximumAge else { throw .signature("X-SMSHook-Timestamp is more than 24 hours old") }
        guard age >= -maximumSkew else { throw .signature("X-SMSHook-Timestamp is more than 5 minutes ahead") }
    }
}
