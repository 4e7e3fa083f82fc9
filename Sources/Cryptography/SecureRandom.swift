import CLibCrypto

package enum SecureRandom {
    /// Cryptographically secure random bytes from OpenSSL's DRBG.
    package static func bytes(_ count: Int) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: count)
        guard count > 0 else { return output }
        let ok = RAND_bytes(&output, Int32(count))
        // A DRBG that cannot seed must stop the process rather than hand out predictable keys.
        precondition(ok == 1, "RAND_bytes failed: \(OpenSSLError.lastMessage())")
        return output
    }
}
