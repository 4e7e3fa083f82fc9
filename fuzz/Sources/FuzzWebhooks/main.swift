import Foundation
import FuzzSupport
import SmsHubDomain

/// What webhooks and their settings read from callers: signing secrets (`whsec_…`) read back to their
/// own text, a signature header of any shape is checked without trapping and never verifies against a
/// body it was not made for, and account settings (`validity_seconds`, `balance_alert_below`) and
/// endpoint fields are judged without trapping, whatever their length.
let secret = WebhookSecret("whsec_" + Data(repeating: 7, count: 24).base64EncodedString())!

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWebhooks(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = FuzzInput(start, count)
    let text = String(decoding: input.body, as: UTF8.self)
    switch input.selector % 4 {
    case 0:
        if let parsed = WebhookSecret(text) {
            Invariants.require(WebhookSecret(parsed.text) == parsed, "a secret does not read back from its own text")
            Invariants.require((24...64).contains(parsed.key.count), "a secret of an unexpected length")
        }
    case 1:
        let body = Array(input.body)
        Invariants.require(
            !WebhookSignature.verify(header: text, id: "evt_1", timestamp: 1_700_000_000, body: body, secret: secret, now: 1_700_000_000)
                || text.contains(WebhookSignature.sign(id: "evt_1", timestamp: 1_700_000_000, body: body, secret: secret)),
            "a header verified without carrying the signature"
        )
        _ = WebhookSignature.verify(header: text, id: text, timestamp: Int64.min, body: body, secret: secret, now: Int64.max)
    case 2:
        let settings = ProviderSettings(["base_url": "https://gw.example.com", "account": "a", "validity_seconds": text, "balance_alert_below": text])
        let problems = ProviderFields.of(.gateway).validate(settings: settings, secrets: ProviderSecrets(["api_password": "p"]))
        if !problems.contains(where: { $0.field == "settings.validity_seconds" }) {
            Invariants.require(ProviderSettings.validitySecondsRange.contains(settings.validitySeconds), "an accepted window out of range")
        }
    default:
        let types = text.split(separator: ",").map(String.init)
        _ = WebhookEndpointRules.problems(description: text, eventTypes: types)
    }
    return 0
}
