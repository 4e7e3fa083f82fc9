import Cryptography

/// A freshly generated API key: the secret shown once, and what is stored in its place.
///
/// Keys look like `smsh_3fQk9LmA_…` (a fixed tag, 8 visible characters, then 43 secret characters);
/// 32 random bytes make guessing hopeless, so a plain SHA-256 is enough to store them (a slow password
/// hash buys nothing for keys of this entropy and would cost every request).
package struct APIKeyMaterial: Sendable {
    package static let tag = "smsh_"
    package let secret: String
    package let prefix: String
    package let hash: [UInt8]

    package static func generate() -> APIKeyMaterial {
        let visible = String(Base64URL.encode(SecureRandom.bytes(6)).prefix(8))
        let secret = tag + visible + "_" + Base64URL.encode(SecureRandom.bytes(32))
        return APIKeyMaterial(secret: secret, prefix: tag + visible, hash: hash(of: secret))
    }

    package static func hash(of presented: String) -> [UInt8] {
        Digest.sha256.hash(presented)
    }

    /// A cheap shape check that spares the database lookups for strings that cannot be keys.
    package static func looksLikeKey(_ presented: String) -> Bool {
        presented.hasPrefix(tag) && presented.utf8.count == tag.utf8.count + 8 + 1 + 43
    }
}
