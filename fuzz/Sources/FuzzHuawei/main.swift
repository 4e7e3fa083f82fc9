import FuzzSupport
import SmsHubDomain

/// Huawei status reports (form or JSON batch) and replies; the selector picks the route and encoding.
let account = CallbackAccountContext(settings: ProviderSettings(), secrets: ProviderSecrets())

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHuawei(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = FuzzInput(start, count)
    let type = input.selector & 1 == 0 ? "application/x-www-form-urlencoded" : "application/json"
    let request = CallbackRequest(headers: ["Content-Type": type], body: input.body)
    let parsed =
        input.selector & 2 == 0
        ? try? HuaweiCallbackParser.parseStatus(request, account: account)
        : try? HuaweiCallbackParser.parseReply(request, account: account)
    if let parsed { Invariants.check(parsed, received: input.body.count) }
    return 0
}
