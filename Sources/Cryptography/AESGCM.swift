import CLibCrypto

/// AES-256-GCM authenticated encryption.
///
/// A sealed box is `nonce (12) ‖ ciphertext ‖ tag (16)`, so one byte string carries everything
/// needed to open it except the key. The nonce is random per seal: with 96-bit random nonces a key
/// stays safe for far more seals than smshub will ever make of provider secrets.
package enum AESGCM {
    package static let keyByteCount = 32
    package static let nonceByteCount = 12
    package static let tagByteCount = 16

    package enum Error: Swift.Error, Equatable, CustomStringConvertible {
        case invalidKeyLength(Int)
        case sealedBoxTooShort
        /// The tag did not verify: wrong key, wrong associated data, or tampered bytes.
        case authenticationFailed

        package var description: String {
            switch self {
            case .invalidKeyLength(let n): "AES-256-GCM key must be 32 bytes, got \(n)"
            case .sealedBoxTooShort: "sealed box is shorter than nonce and tag"
            case .authenticationFailed: "AES-256-GCM authentication failed"
            }
        }
    }

    package static func seal(_ plaintext: [UInt8], key: [UInt8], associatedData: [UInt8] = []) throws -> [UInt8] {
        try seal(plaintext, key: key, nonce: SecureRandom.bytes(nonceByteCount), associatedData: associatedData)
    }

    /// Seals with a caller-chosen nonce. Only for known-answer tests: reusing a nonce under one key breaks GCM.
    package static func seal(_ plaintext: [UInt8], key: [UInt8], nonce: [UInt8], associatedData: [UInt8] = []) throws -> [UInt8] {
        guard key.count == keyByteCount else { throw Error.invalidKeyLength(key.count) }
        precondition(nonce.count == nonceByteCount)
        let ctx = EVP_CIPHER_CTX_new()!
        defer { EVP_CIPHER_CTX_free(ctx) }
        var ciphertext = [UInt8](repeating: 0, count: plaintext.count + 16)
        var tag = [UInt8](repeating: 0, count: tagByteCount)
        var outLength: Int32 = 0
        var total = 0
        check(EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), nil, nil, nil))
        check(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, Int32(nonceByteCount), nil))
        check(EVP_EncryptInit_ex(ctx, nil, nil, key, nonce))
        if !associatedData.isEmpty {
            check(EVP_EncryptUpdate(ctx, nil, &outLength, associatedData, Int32(associatedData.count)))
        }
        if !plaintext.isEmpty {
            check(EVP_EncryptUpdate(ctx, &ciphertext, &outLength, plaintext, Int32(plaintext.count)))
            total = Int(outLength)
        }
        ciphertext.withUnsafeMutableBufferPointer { buffer in
            check(EVP_EncryptFinal_ex(ctx, buffer.baseAddress! + total, &outLength))
        }
        total += Int(outLength)
        check(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, Int32(tagByteCount), &tag))
        return nonce + ciphertext.prefix(total) + tag
    }

    package static func open(_ sealedBox: [UInt8], key: [UInt8], associatedData: [UInt8] = []) throws -> [UInt8] {
        guard key.count == keyByteCount else { throw Error.invalidKeyLength(key.count) }
        guard sealedBox.count >= nonceByteCount + tagByteCount else { throw Error.sealedBoxTooShort }
        let nonce = Array(sealedBox.prefix(nonceByteCount))
        var tag = Array(sealedBox.suffix(tagByteCount))
        let ciphertext = Array(sealedBox[nonceByteCount..<(sealedBox.count - tagByteCount)])
        let ctx = EVP_CIPHER_CTX_new()!
        defer { EVP_CIPHER_CTX_free(ctx) }
        var plaintext = [UInt8](repeating: 0, count: ciphertext.count + 16)
        var outLength: Int32 = 0
        var total = 0
        check(EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), nil, nil, nil))
        check(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, Int32(nonceByteCount), nil))
        check(EVP_DecryptInit_ex(ctx, nil, nil, key, nonce))
        if !associatedData.isEmpty {
            check(EVP_DecryptUpdate(ctx, nil, &outLength, associatedData, Int32(associatedData.count)))
        }
        if !ciphertext.isEmpty {
            check(EVP_DecryptUpdate(ctx, &plaintext, &outLength, ciphertext, Int32(ciphertext.count)))
            total = Int(outLength)
        }
        check(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, Int32(tagByteCount), &tag))
        let final = plaintext.withUnsafeMutableBufferPointer { buffer in
            EVP_DecryptFinal_ex(ctx, buffer.baseAddress! + total, &outLength)
        }
        guard final == 1 else {
            ERR_clear_error()
            throw Error.authenticationFailed
        }
        total += Int(outLength)
        return Array(plaintext.prefix(total))
    }

    /// Failures of these calls with valid arguments mean OpenSSL itself is broken; there is nothing to recover.
    private static func check(_ result: Int32, line: UInt = #line) {
        precondition(result == 1, "OpenSSL AES-GCM call failed (line \(line)): \(OpenSSLError.lastMessage())")
    }
}
