import CLibCrypto

package enum HMAC {
    /// HMAC-SHA256 of `message` under `key`.
    package static func sha256(key: some Collection<UInt8>, message: some Collection<UInt8>) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let result = withContiguousBytes(key) { keyBytes in
            withContiguousBytes(message) { messageBytes in
                // OpenSSL's one-shot HMAC accepts a NULL key pointer only with length 0; an empty
                // Swift buffer may have a nil base address, so give it a valid one.
                withUnsafePointer(to: 0 as UInt8) { empty in
                    CLibCrypto.HMAC(
                        EVP_sha256(),
                        keyBytes.baseAddress ?? UnsafeRawPointer(empty),
                        Int32(keyBytes.count),
                        messageBytes.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? empty,
                        messageBytes.count,
                        &output,
                        &length
                    )
                }
            }
        }
        precondition(result != nil, "HMAC failed: \(OpenSSLError.lastMessage())")
        return Array(output.prefix(Int(length)))
    }

    package static func sha256(key: String, message: String) -> [UInt8] {
        sha256(key: Array(key.utf8), message: Array(message.utf8))
    }
}
