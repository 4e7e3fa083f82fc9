import Crypto
import Foundation

/// True when `body` was signed with `secret` (`whsec_…`) and the timestamp is recent.
func verify(secret: String, headers: [String: String], body: Data, tolerance: TimeInterval = 300) -> Bool {
    guard let id = headers["webhook-id"], let timestamp = headers["webhook-timestamp"], let seconds = TimeInterval(timestamp),
        abs(Date().timeIntervalSince1970 - seconds) <= tolerance,  // too old (or from the future): a replay
        secret.hasPrefix("whsec_"), let key = Data(base64Encoded: String(secret.dropFirst(6))),
        let signatures = headers["webhook-signature"]
    else { return false }
    var signed = Data("\(id).\(timestamp).".utf8)
    signed.append(body)
    // During a secret rotation the header carries two signatures, separated by a space.
    return signatures.split(separator: " ").contains { candidate in
        guard candidate.hasPrefix("v1,"), let mac = Data(base64Encoded: String(candidate.dropFirst(3))) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: signed, using: SymmetricKey(data: key))
    }
}

// verify-webhook SECRET WEBHOOK_ID WEBHOOK_TIMESTAMP WEBHOOK_SIGNATURE < body
let arguments = CommandLine.arguments
guard arguments.count == 5 else {
    print("usage: verify-webhook SECRET WEBHOOK_ID WEBHOOK_TIMESTAMP WEBHOOK_SIGNATURE < body")
    exit(2)
}
let headers = ["webhook-id": arguments[2], "webhook-timestamp": arguments[3], "webhook-signature": arguments[4]]
let ok = verify(secret: arguments[1], headers: headers, body: FileHandle.standardInput.readDataToEndOfFile())
print(ok ? "verified" : "NOT verified")
exit(ok ? 0 : 1)
