import FuzzSupport
import SmsHubDomain

/// The egress policy's parsers: addresses and blocks read back to what they parsed, a block always
/// contains its own address, and a URL target keeps its promises (no query, fragment or user info;
/// a host of the allowed bytes; a port in range).
let policy = EgressPolicy(allowPlainHTTP: true)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEgress(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = FuzzInput(start, count)
    let text = String(decoding: input.body, as: UTF8.self)
    switch input.selector % 3 {
    case 0:
        if let address = IPAddress(text) {
            Invariants.require(IPAddress(address.description) == address, "an address does not read back from its own text")
            _ = policy.permits(address)
        }
    case 1:
        if let network = IPNetwork(text) {
            Invariants.require(network.contains(network.address), "a block does not contain its own address")
            Invariants.require(IPNetwork(network.description) == network, "a block does not read back from its own text")
        }
    default:
        if case .success(let target) = policy.target(text) {
            Invariants.require(
                !target.base.contains("?") && !target.base.contains("#") && !target.base.contains("@"),
                "a target kept a query, fragment or user"
            )
            Invariants.require((1...65535).contains(target.port), "port out of range")
            Invariants.require(!target.host.isEmpty && target.host.utf8.count <= 512, "bad host")
        }
    }
    return 0
}
