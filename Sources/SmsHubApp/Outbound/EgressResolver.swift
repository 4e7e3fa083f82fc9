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
    /// Blocks an administrator allowed for a tenant or account, beyond the operator's.
    var allowances: EgressAllowanceCache? = nil

    struct Checked: Sendable {
        var target: EgressPolicy.Target
        /// The address that passed; the call connects here and nowhere else.
        var address: IPAddress
        /// Whether that address is on the public Internet. A non-public one was reached only by an
        /// allow list: what it answers is never stored or shown, beyond its status and timing.
        var isPublic: Bool { EgressPolicy.isPublic(self.address) }
    }

    /// `tenant` bounds the lookups one tenant has in flight and brings its allowed blocks (and
    /// `account`'s); nil for the operator's own checks.
    func check(_ url: String, tenant: UUID? = nil, account: UUID? = nil) async -> Result<Checked, EgressPolicy.Refusal> {
        var policy = self.policy
        if let allowances = self.allowances, let tenant { policy = policy.allowing(await allowances.blocks(tenant: tenant, account: account)) }
        let target: EgressPolicy.Target
        switch policy.target(url) {
        case .success(let t): target = t
        case .failure(let refusal): return .failure(refusal)
        }
        let host = target.host
        // An address written in its usual form needs no resolver, nor do the other spellings the C
        // library reads as IPv4 (`2130706433`, `0x7f.1`, `127.1`): they meet the same checks.
        if let literal = IPAddress(host) ?? Self.numericIPv4(host) {
            return policy.choose([literal]).map { Checked(target: target, address: $0) }
        }
        switch await self.names.addresses(of: host, tenant: tenant) {
        case .success(let addresses): return policy.choose(addresses).map { Checked(target: target, address: $0) }
        case .failure(.notFound): return .failure(.unresolvable)
        case .failure(.temporary): return .failure(.lookupFailed)
        }
    }

    /// Why a URL may not be saved, or nil. A name that does not resolve yet (DNS may lag a new
    /// gateway) or not within the lookup's deadline is accepted: every call checks again.
    func refusalOnSave(_ url: String, tenant: UUID, account: UUID? = nil) async -> EgressPolicy.Refusal? {
        switch await self.check(url, tenant: tenant, account: account) {
        case .failure(let refusal) where refusal != .unresolvable && refusal != .lookupFailed: refusal
        default: nil
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
