import Cryptography

/// SUBHOOK verification (docs/providers.md §3.1): lowercase hex MD5 of token + SUBHOOK key, constant time.
package enum SubmailSignature {
    package static func expected(token: String, key: String) -> String {
        Digest.md5.hex(token + key)
    }

    package static func verify(fields: [String: String], key: String) throws(CallbackError) {
        guard let token = fields["token"], !token.isEmpty else { throw .signature("token is missing") }
        guard let signature = fields["signature"], !signature.isEmpty else { throw .signature("signature is missing") }
        guard token.utf8.count <= 128 else { throw .signature("token is too long") }
        guard ConstantTime.equals(expected(token: token, key: key), signature.lowercased()) else {
            throw .signature("signature does not verify")
        }
    }
}
