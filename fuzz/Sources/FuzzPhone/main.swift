import FuzzSupport
import SmsHubDomain

/// Phone-number normalisation as the send API (`written`) and the callbacks (`parse`) use it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPhone(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = FuzzInput(start, count)
    let text = String(decoding: input.body, as: UTF8.self)
    if let number = PhoneNumber.written(text) {
        Invariants.require(number.e164 != nil, "a written number without E.164")
        Invariants.require(PhoneNumber.written(number.e164 ?? "")?.e164 == number.e164, "E.164 does not read back as itself")
    }
    if let number = PhoneNumber.parse(text) {
        Invariants.text(number.raw, max: 64)
        if let e164 = number.e164 {
            Invariants.require(e164.hasPrefix("+") && e164.utf8.count <= 16, "E.164 shape \(e164)")
            _ = GatewayNumber.shown(e164)
        }
    }
    if PhoneNumber.isMasked(text) { _ = PhoneNumber.mask(text, matches: "+8613512349831") }
    return 0
}
