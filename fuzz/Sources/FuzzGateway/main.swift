import FuzzSupport
import SmsHubDomain

/// Gateway pushes (status, reply; JSON or form) and the gateway's pull answers (report, mo, balance).
let account = CallbackAccountContext(settings: ProviderSettings(["base_url": "http://127.0.0.1:1", "account": "a"]), secrets: ProviderSecrets())

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGateway(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = FuzzInput(start, count)
    let type = input.selector & 1 == 0 ? "application/x-www-form-urlencoded" : "application/json"
    let request = CallbackRequest(headers: ["Content-Type": type], body: input.body)
    switch (input.selector >> 1) % 3 {
    case 0:
        if let parsed = try? GatewayCallbackParser.parseStatus(request, account: account) { Invariants.check(parsed, received: input.body.count) }
    case 1:
        if let parsed = try? GatewayCallbackParser.parseReply(request, account: account) { Invariants.check(parsed, received: input.body.count) }
    default:
        guard let envelope = try? GatewayAPI.envelope(input.body) else { return 0 }
        var pulled: [ProviderEvent] = []
        for item in GatewayAPI.items(envelope) {
            Invariants.require((try? JSONReader.parse(Array(item.raw.utf8), duplicates: .refuse)) != nil, "pulled item raw is not JSON")
            if let report = try? GatewayCallbackParser.status(item.fields, raw: item.raw, zone: account.settings.timeZone) {
                Invariants.check(.status(report))
                pulled.append(.status(report))
            }
            if let reply = try? GatewayCallbackParser.reply(item.fields, raw: item.raw, zone: account.settings.timeZone) {
                Invariants.check(.reply(reply))
                pulled.append(.reply(reply))
            }
        }
        Invariants.bounded(pulled, received: input.body.count)
        if let balance = GatewayAPI.balance(envelope) {
            Invariants.require(balance.balance.isFinite, "balance not finite")
            Invariants.text(balance.payment, max: 1 << 20)
        }
    }
    return 0
}
