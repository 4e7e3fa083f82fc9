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
        let keyring = SecretKeyring(
            active: try SecretKeyring.Key(id: "k2", bytes: bytes),
            others: [try SecretKeyring.Key(id: "k1", bytes: bytes.reversed())]
        )
        let holder = Holder(keyring: keyring)
        var dumped = ""
        dump(holder, to: &dumped)
        for text in [String(describing: holder), String(reflecting: holder), "\(keyring)", String(reflecting: keyring.active), dumped] {
            #expect(text.contains("k2"), "\(text)")
            #expect(!text.contains("200") && !text.contains("249"), "key bytes in: \(text)")
            #expect(!text.contains(Data(bytes).base64EncodedString()), "\(text)")
        }
    }

    /// SUBMAIL's `token` and `signature` authenticate one event; they are not kept in its raw payload.
    @Test func submailCredentialsAreNotStored() throws {
        let account = CallbackAccountContext(
            settings: ProviderSettings(["app_id": "12345"]),
            secrets: ProviderSecrets(["subhook_key": "my_subhook_key"])
        )
        let sign = "token=067ef7e2f286a9a56eabb07dc9657852&signature=61bc33e46c8329ed51c264a0b0f700bb"
        let json =
            #"{"events":"request","address":"13812345678","send_id":"s1","timestamp":"1415014855","token":"067ef7e2f286a9a56eabb07dc9657852","signature":"61bc33e46c8329ed51c264a0b0f700bb"}"#
        let requests = [
            CallbackRequest(headers: ["Content-Type": "application/json"], body: Array(json.utf8)),
            CallbackRequest(
                headers: ["Content-Type": "application/x-www-form-urlencoded"],
                body: Array("events=request&address=13812345678&send_id=s1&\(sign)".utf8)
            ),
            CallbackRequest(method: .get, query: "events=request&address=13812345678&send_id=s1&\(sign)", body: []),
        ]
        for request in requests {
            let parsed = try SubmailCallbackParser.parse(request, account: account)
            guard case .status(let report) = try #require(parsed.events.first) else {
                Issue.record("not a status")
                return
            }
            #expect(!report.raw.contains("067ef7e2") && !report.raw.contains("61bc33e4"), "\(report.raw)")
            #expect(report.raw.contains("\"send_id\":\"s1\""))
        }
    }
}
