import FuzzSupport
import SmsHubDomain

/// DNS answers as the resolver reads them: refused, or addresses of the name asked only.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDNS(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = FuzzInput(start, count)
    let type: DNSMessage.RecordType = input.selector & 1 == 0 ? .a : .aaaa
    guard let parsed = try? DNSMessage.parse(input.body, id: 0x1234, name: "gw.example.test", type: type) else { return 0 }
    if case .addresses(let found) = parsed.outcome {
        Invariants.require(found.count <= input.body.count / 4, "more addresses than the answer can hold")
        for address in found {
            switch (address, type) {
            case (.v4, .a), (.v6, .aaaa): break
            default: Invariants.require(false, "an address of another type: \(address)")
            }
        }
    }
    return 0
}
