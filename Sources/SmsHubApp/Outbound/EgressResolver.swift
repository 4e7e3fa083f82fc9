import Foundation
import SmsHubDomain

#if canImport(Glibc)
import Glibc
#endif

/// Resolves a tenant URL's host and applies the egress policy to every address it gets. Names go
/// to the hub's own asynchronous resolver (`NameResolver`), inside the caller's deadline.
struct EgressResolver: Sendable {
    var policy: EgressPolicy
    var names: NameResolver = .system

    struct Checked: Sendable {
        var target: EgressPolicy.Target
        /// The address that passed; the call connects here and nowhere else.
        var address: IPAddress
    }

    /// `tenant` bounds the lookups one tenant has in flight; nil for the operator's own.
    func check(_ url: String, tenant: UUID? = nil) async -> Result<Checked, EgressPolicy.Refusal> {
        let target: EgressPolicy.Target
        switch self.policy.target(url) {
        case .success(let t): target = t
        case .failure(let refusal): return .failure(refusal)
        }
        let host = target.host
        // An address written in its usual form needs no resolver, nor do the other spellings the C
        // library reads as IPv4 (`2130706433`, `0x7f.1`, `127.1`): they meet the same checks.
        if let literal = IPAddress(host) ?? Self.numericIPv4(host) {
            return self.policy.choose([literal]).map { Checked(target: target, address: $0) }
        }
        switch await self.names.addresses(of: host, tenant: tenant) {
        case .success(let addresses): return self.policy.choose(addresses).map { Checked(target: target, address: $0) }
        case .failure(.notFound): return .failure(.unresolvable)
        case .failure(.temporary): return .failure(.lookupFailed)
        }
    }

    /// `inet_aton`'s reading of `host` (decimal, octal and hex parts, one to four of them): it parses
    /// and never blocks.
    static func numericIPv4(_ host: String) -> IPAddress? {
        guard host.utf8.count <= 64 else { return nil }
        var address = in_addr()
        guard inet_aton(host, &address) != 0 else { return nil }
        return .v4(UInt32(bigEndian: address.s_addr))
    }
}

extension NameResolver {
    /// The process's resolver for callers built without one (tests): the machine's name servers.
    static let system = NameResolver(settings: Settings(servers: NameServers.system()))
}
