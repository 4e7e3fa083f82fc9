import Cryptography
import Foundation
import Testing

@Suite struct DigestTests {
    @Test func idsAreVersion7AndDistinct() {
        let ids = SecureRandom.uuids(1000)
        #expect(ids.count == 1000 && Set(ids).count == 1000)
        for id in ids {
            let text = id.uuidString
            #expect(Array(text)[14] == "7", "version nibble")
            #expect("89AB".contains(Array(text)[19]), "variant bits")
        }
        #expect(SecureRandom.uuids(0).isEmpty)
    }

    @Test func idsCarryTheirMillisecondAndSortByIt() {
        let earlier = Date(timeIntervalSince1970: 1_795_000_000.5)
        let id = SecureRandom.uuid(now: earlier)
        // 1,795,000,000,500 ms is 0x01A1EE565FF4.
        #expect(id.uuidString.hasPrefix("01A1EE56-5FF4-7"))
        let later = SecureRandom.uuids(50, now: earlier.addingTimeInterval(0.002))
        #expect(later.allSatisfy { id.uuidString < $0.uuidString })
    }

    @Test func clocksOutsideTheFieldAreClampedNotTrapped() {
        #expect(SecureRandom.uuid(now: Date(timeIntervalSince1970: -5)).uuidString.hasPrefix("00000000-0000-7"))
        #expect(SecureRandom.uuid(now: Date(timeIntervalSince1970: 1e13)).uuidString.hasPrefix("FFFFFFFF-FFFF-7"))
    }

    // RFC 1321 appendix A.5.
    @Test(arguments: [
        ("", "d41d8cd98f00b204e9800998ecf8427e"),
        ("abc", "900150983cd24fb0d6963f7d28e17f72"),
        ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
        ("12345678901234567890123456789012345678901234567890123456789012345678901234567890", "57edf4a22be3c955ac49da2e2107b67a"),
    ])
    func md5(input: String, expected: String) {
        #expect(Digest.md5.hex(input) == expected)
    }

    // FIPS 180-2 appendix A examples.
    @Test(arguments: [
        ("", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
        ("abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1"),
    ])
    func sha1(input: String, expected: String) {
        #expect(Digest.sha1.hex(input) == expected)
    }

    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func sha256(input: String, expected: String) {
        #expect(Digest.sha256.hex(input) == expected)
    }

    @Test func sha256OfAMillionAs() {
        #expect(
            Digest.sha256.hex([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        )
    }

    @Test func digestLengths() {
        #expect(Digest.md5.byteCount == 16)
        #expect(Digest.sha1.byteCount == 20)
        #expect(Digest.sha256.byteCount == 32)
    }

    @Test func gatewayPasswordFromProvidersDoc() {
        // providers.md §1: md5("123456") is the documented `pwd` example.
        #expect(Digest.md5.hex("123456") == "e10adc3949ba59abbe56e057f20f883e")
    }

    @Test func engageLabSignatureExampleFromProvidersDoc() {
        // providers.md §2.1: MD5(timestamp + app key + secret), lowercase hex.
        #expect(Digest.md5.hex("1679392394061" + "a1b2c3d4e5f6a7b8c9d0e1f2" + "engagelab_demo_secret") == "a77fa528e2deec7ec04d4a55061623ce")
    }

    @Test func submailSignatureExampleFromProvidersDoc() {
        // providers.md §3.1: MD5(token + subhook key).
        #expect(Digest.md5.hex("067ef7e2f286a9a56eabb07dc9657852" + "my_subhook_key") == "61bc33e46c8329ed51c264a0b0f700bb")
    }

    @Test func huaweiWSSEDigestExampleFromProvidersDoc() {
        // providers.md §6: Base64(lowercase_hex(SHA256(nonce + created + secret))).
        let hex = Digest.sha256.hex("ac1c911c4792492687f8f6b2264a491e" + "2018-05-26T00:35:30Z" + "q4Ii87BhST9vcs8wvrzN80SfD7Al")
        #expect(Base64.encode(Array(hex.utf8)) == "NTA0ZWE4Y2Q0ZGMyYWEwZDk0MWZmNjE4NGQxYjc1Y2YzNWYwNzgwZTdjMGU4ZDgzNmZmMGE3MWJlODA0MjBmZg==")
    }
}

/// Standard padded base64, only to check the Huawei example above.
enum Base64 {
    static func encode(_ bytes: [UInt8]) -> String {
        var text = Base64URL.encode(bytes).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.utf8.count % 4 != 0 { text += "=" }
        return text
    }
}
