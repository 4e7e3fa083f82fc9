import Cryptography

/// SMSHook verification (docs/providers.md §2.1): lowercase hex MD5 of timestamp + app key + secret, the
/// header strings exactly as received, compared in constant time.
public enum EngageLabSignature {
    public static func expected(timestamp: String, appKey: String, secret: String) -> String {
        Digest.md5.hex(timestamp + appKey + secret)
    }

    public static func verify(_ request: CallbackRequest, appKey: String, secret: String) throws(CallbackError) {
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
    }
}
