import Cryptography
import Foundation
import SmsHubDomain
import Testing

@Suite struct SecretRedactionTests {
    struct Holder {
        var name = "dispatcher"
        var keyring: SecretKeyring
    }

    /// Service lifecycle logs its services at debug level; one holding the keyring printed the master
    /// key's bytes. Every way of printing a value that holds a key shows the id only.
    @Test func masterKeysNeverPrint() throws {
        let bytes = (0..<32).map { UInt8(200 + $0 % 50) }
        let keyring = SecretKeyring(active: try SecretKeyring.Key(id: "k2", bytes: bytes), others: [try SecretKeyring.Key(id: "k1", bytes: bytes.reversed())])
        let holder = Holder(keyring: keyring)
        var dumped = ""
        dump(holder, to: &dumped)
        for text in [String(describing: holder), String(reflecting: holder), "\(keyring)", String(reflecting: keyring.active), dumped] {
            #expect(text.contains("k2"), "\(text)")
            #expect(!text.contains("200") && !text.contains("249"), "key bytes in: \(text)")
            #expect(!text.contains(Data(bytes).base64EncodedString()), "\(text)")
        }
    }
}
