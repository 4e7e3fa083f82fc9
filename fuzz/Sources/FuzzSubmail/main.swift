import FuzzSupport
import SmsHubDomain

/// SUBHOOK events in each encoding SUBMAIL uses; the selector picks JSON, form, multipart or GET.
let account = CallbackAccountContext(settings: ProviderSettings(["app_id": "12345"]), secrets: ProviderSecrets(["subhook_key": "my_subhook_key"]))

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSubmail(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = FuzzInput(start, count)
    let request: CallbackRequest
    switch input.selector % 4 {
    case 0: request = CallbackRequest(headers: ["Content-Type": "application/json"], body: input.body)
    case 1: request = CallbackRequest(headers: ["Content-Type": "application/x-www-form-urlencoded"], body: input.body)
    case 2: request = CallbackRequest(headers: ["Content-Type": "multipart/form-data; boundary=b"], body: input.body)
    default: request = CallbackRequest(method: .get, query: String(decoding: input.body, as: UTF8.self), body: [])
    }
    guard let parsed = try? SubmailCallbackParser.parse(request, account: account) else { return 0 }
    Invariants.check(parsed, received: input.body.count)
    return 0
}
