import Foundation
import NIOPosix
import SmsHubDomain

#if canImport(Glibc)
import Glibc
#endif

/// Resolves a tenant URL's host and applies the egress policy to every address it gets. `getaddrinfo`
/// blocks, so it runs on NIO's thread pool, under a deadline.
struct EgressResolver: Sendable {
    var policy: EgressPolicy
    var timeout: Duration = .seconds(5)

    struct Checked: Sendable {
        var target: EgressPolicy.Target
        /// The address that passed; the call connects here and nowhere else.
        var address: IPAddress
    }

    func check(_ url: String) async -> Result<Checked, EgressPolicy.Refusal> {
        let target: EgressPolicy.Target
        switch self.policy.target(url) {
        case .success(let t): target = t
        case .failure(let refusal): return .failure(refusal)
        }
        let host = target.host
        // An address written in its usual form needs no resolver; any other spelling goes through it.
        if let literal = IPAddress(host) {
            return self.policy.choose([literal]).map { Checked(target: target, address: $0) }
        }
        let addresses: [IPAddress]
        do {
            addresses = try await withDeadline(self.timeout) {
                try await Self.threads.runIfActive { Self.resolve(host) }
            }
        } catch {
            return .failure(.unresolvable)
        }
        return self.policy.choose(addresses).map { Checked(target: target, address: $0) }
    }

    /// Threads of their own for `getaddrinfo`, which blocks (up to the resolver's own timeouts): on
    /// NIO's shared pool a slow DNS server would hold the threads that file and socket work needs.
    static let threads: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 4)
        pool.start()
        return pool
    }()

    /// Every address of `host` (IPv4 and IPv6); empty when it does not resolve. Numeric spellings
    /// (`2130706433`, `0x7f.1`) are resolved by the C library as any client would, then checked.
    static func resolve(_ host: String) -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return [] }
        defer { freeaddrinfo(first) }
        var found: [IPAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            if let address = entry.pointee.ai_addr {
                switch Int32(address.pointee.sa_family) {
                case AF_INET:
                    let v4 = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr.s_addr }
                    found.append(.v4(UInt32(bigEndian: v4)))
                case AF_INET6:
                    let bytes = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                        withUnsafeBytes(of: pointer.pointee.sin6_addr) { Array($0) }
                    }
                    if let v6 = IPAddress(bytes: bytes) { found.append(v6) }
                default:
                    break
                }
            }
            cursor = entry.pointee.ai_next
        }
        var seen = Set<IPAddress>()
        return found.filter { seen.insert($0).inserted }
    }
}
