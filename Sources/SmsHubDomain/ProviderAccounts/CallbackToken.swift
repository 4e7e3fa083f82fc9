import Cryptography

/// The secret path segment of an account's callback URLs. Providers cannot sign Gateway and Huawei
/// callbacks, so this token is their only authentication: 32 random bytes, stored only as SHA-256.
package struct CallbackToken: Sendable {
    package let secret: String
    package let hash: [UInt8]

    package static func generate() -> CallbackToken {
        let secret = Base64URL.encode(SecureRandom.bytes(32))
        return CallbackToken(secret: secret, hash: hash(of: secret))
    }

    package static func hash(of presented: some StringProtocol) -> [UInt8] {
        Digest.sha256.hash(Array(presented.utf8))
    }

    /// Cheap shape check before any database work: 43 base64url characters. Inlinable, so the caller
    /// gets a version specialised to its string type rather than a generic walk over `utf8`.
    @inlinable
    package static func looksValid(_ presented: some StringProtocol) -> Bool {
        presented.utf8.count == 43
            && presented.utf8.allSatisfy { c in
                (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 45 || c == 95
            }
    }

    /// The URLs to enter in the provider's console, by purpose.
    package static func callbackURLs(base: String, provider: Provider, token: String) -> [String: String] {
        let root = base.hasSuffix("/") ? String(base.dropLast()) : base
        let prefix = "\(root)/callbacks/\(provider.rawValue)/\(token)"
        switch provider {
        case .engagelab, .submail:
            return ["events": prefix]
        case .huawei, .gateway:
            return ["status": prefix + "/status", "replies": prefix + "/replies"]
        }
    }
}
