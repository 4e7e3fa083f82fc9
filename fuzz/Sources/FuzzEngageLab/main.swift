import FuzzSupport
import SmsHubDomain

/// EngageLab callbacks, with valid signature headers (the signature covers the headers, not the
/// body), so the fuzzer reaches the parser behind the check.
let account = CallbackAccountContext(
    settings: ProviderSettings(["app_key": "a1b2c3d4e5f6a7b8c9d0e1f2"]),
    secrets: ProviderSecrets(["app_secret": "engagelab_demo_secret"])
)
let headers = [
    "X-SMSHook-Signature": "a77fa528e2deec7ec04d4a55061623ce", "X-SMSHook-Timestamp": "1679392394061",
    "X-SMSHook-AppKey": "a1b2c3d4e5f6a7b8c9d0e1f2", "Content-Type": "application/json",
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEngageLab(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = FuzzInput(start, count)
    guard let parsed = try? EngageLabCallbackParser.parse(CallbackRequest(headers: headers, body: input.body), account: account) else { return 0 }
    Invariants.check(parsed, received: input.body.count)
    return 0
}
