import Cryptography
import Testing

/// Test cases 13, 14 and 16 of the GCM specification (McGrew & Viega), AES-256.
@Suite struct AESGCMTests {
    func hex(_ s: String) -> [UInt8] { Hex.decode(s)! }

    @Test func case13EmptyPlaintext() throws {
        let sealed = try AESGCM.seal([], key: [UInt8](repeating: 0, count: 32), nonce: [UInt8](repeating: 0, count: 12))
        #expect(Hex.encode(sealed.suffix(16)) == "530f8afbc74536b9a963b4f1c4cb738b")
        #expect(sealed.count == 12 + 16)
        #expect(try AESGCM.open(sealed, key: [UInt8](repeating: 0, count: 32)) == [])
    }

    @Test func case14() throws {
        let sealed = try AESGCM.seal([UInt8](repeating: 0, count: 16), key: [UInt8](repeating: 0, count: 32), nonce: [UInt8](repeating: 0, count: 12))
        #expect(Hex.encode(sealed.dropFirst(12)) == "cea7403d4d606b6e074ec5d3baf39d18" + "d0d1c8a799996bf0265b98b5d48ab919")
    }

    @Test func case16WithAssociatedData() throws {
        let key = hex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308")
        let plaintext = hex(
            "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39"
        )
        let aad = hex("feedfacedeadbeeffeedfacedeadbeefabaddad2")
        let nonce = hex("cafebabefacedbaddecaf888")
        let sealed = try AESGCM.seal(plaintext, key: key, nonce: nonce, associatedData: aad)
        #expect(
            Hex.encode(sealed.dropFirst(12).dropLast(16))
                == "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
        )
        #expect(Hex.encode(sealed.suffix(16)) == "76fc6ece0f4e1768cddf8853bb2d551b")
        #expect(try AESGCM.open(sealed, key: key, associatedData: aad) == plaintext)
    }

    @Test func roundTripWithRandomNonces() throws {
        let key = SecureRandom.bytes(32)
        let message = Array("app secret 密钥 🔑".utf8)
        let a = try AESGCM.seal(message, key: key)
        let b = try AESGCM.seal(message, key: key)
        #expect(a != b, "each seal draws a fresh nonce")
        #expect(try AESGCM.open(a, key: key) == message)
        #expect(try AESGCM.open(b, key: key) == message)
    }

    @Test func tamperingIsDetected() throws {
        let key = SecureRandom.bytes(32)
        let sealed = try AESGCM.seal(Array("secret".utf8), key: key, associatedData: [1, 2, 3])
        for index in [0, 12, sealed.count - 1] {
            var tampered = sealed
            tampered[index] ^= 0x01
            #expect(throws: AESGCM.Error.authenticationFailed) { try AESGCM.open(tampered, key: key, associatedData: [1, 2, 3]) }
        }
        #expect(throws: AESGCM.Error.authenticationFailed) { try AESGCM.open(sealed, key: SecureRandom.bytes(32), associatedData: [1, 2, 3]) }
        #expect(throws: AESGCM.Error.authenticationFailed) { try AESGCM.open(sealed, key: key, associatedData: [1, 2, 4]) }
        #expect(throws: AESGCM.Error.sealedBoxTooShort) { try AESGCM.open(Array(sealed.prefix(27)), key: key) }
        #expect(throws: AESGCM.Error.invalidKeyLength(16)) { try AESGCM.seal([1], key: [UInt8](repeating: 0, count: 16)) }
    }
}

@Suite struct RandomAndComparisonTests {
    @Test func randomBytes() {
        #expect(SecureRandom.bytes(0).isEmpty)
        let a = SecureRandom.bytes(32)
        let b = SecureRandom.bytes(32)
        #expect(a.count == 32)
        #expect(a != b)
        // 64 KiB of output should use every byte value; a stuck generator would not.
        #expect(Set(SecureRandom.bytes(65_536)).count == 256)
    }

    @Test func constantTimeEquality() {
        #expect(ConstantTime.equals("a77fa528e2deec7ec04d4a55061623ce", "a77fa528e2deec7ec04d4a55061623ce"))
        #expect(!ConstantTime.equals("a77fa528e2deec7ec04d4a55061623ce", "a77fa528e2deec7ec04d4a55061623cf"))
        #expect(!ConstantTime.equals("abc", "abcd"))
        #expect(ConstantTime.equals([UInt8](), [UInt8]()))
        #expect(!ConstantTime.equals([0], []))
    }

    @Test func hexAndBase64URL() {
        #expect(Hex.encode([0x00, 0xff, 0x10]) == "00ff10")
        #expect(Hex.decode("00FF10") == [0x00, 0xff, 0x10])
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
        // RFC 4648 §10 vectors, unpadded.
        for (input, expected) in [
            ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"), ("foobar", "Zm9vYmFy"),
        ] {
            #expect(Base64URL.encode(Array(input.utf8)) == expected)
        }
        #expect(Base64URL.encode([0xfb, 0xff]) == "-_8")
    }
}
