import CLibCrypto

/// Message digests over OpenSSL's EVP interface.
///
/// MD5 and SHA-1 exist here only because provider protocols require them (Gateway `pwd`,
/// EngageLab and SUBMAIL signatures); nothing in smshub relies on them for its own security.
package enum Digest {
    case md5
    case sha1
    case sha256

    fileprivate var evp: OpaquePointer {
        switch self {
        case .md5: EVP_md5()
        case .sha1: EVP_sha1()
        case .sha256: EVP_sha256()
        }
    }

    /// Digest length in bytes.
    package var byteCount: Int { Int(EVP_MD_get_size(self.evp)) }

    package func hash(_ bytes: some Collection<UInt8>) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = withContiguousBytes(bytes) { input in
            EVP_Digest(input.baseAddress, input.count, &output, &length, self.evp, nil)
        }
        precondition(ok == 1, "EVP_Digest failed: \(OpenSSLError.lastMessage())")
        return Array(output.prefix(Int(length)))
    }

    package func hash(_ string: String) -> [UInt8] {
        self.hash(Array(string.utf8))
    }

    /// Lowercase hexadecimal digest, the form every provider protocol uses.
    package func hex(_ string: String) -> String {
        Hex.encode(self.hash(string))
    }

    package func hex(_ bytes: some Collection<UInt8>) -> String {
        Hex.encode(self.hash(bytes))
    }
}

/// Calls `body` with a contiguous view of `bytes`, copying only when the collection has no contiguous storage.
@inline(__always)
func withContiguousBytes<R>(_ bytes: some Collection<UInt8>, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
    if let result = try bytes.withContiguousStorageIfAvailable({ try body(UnsafeRawBufferPointer($0)) }) {
        return result
    }
    return try Array(bytes).withUnsafeBytes(body)
}
