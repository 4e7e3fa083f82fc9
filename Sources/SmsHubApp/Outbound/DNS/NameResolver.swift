import Foundation
package import NIOCore
import SmsHubDomain

/// Resolves tenant host names without letting one tenant stall another: lookups are asynchronous
/// UDP exchanges with a hard deadline, at most `perTenant` in flight for one tenant and `total` in
/// all (beyond them a lookup fails at once as temporary, and its call is retried like any transient
/// failure), concurrent lookups of one name share one exchange, and answers are cached for their TTL.
package actor NameResolver {
    package struct Settings: Sendable {
        package var servers: [SocketAddress]
        /// The whole lookup, every server tried included.
        package var timeout = AppSettings.Outbound.dnsTimeout.defaultDuration
        package var perTenant = AppSettings.Outbound.dnsMaxLookupsPerTenant.defaultNumber
        package var total = AppSettings.Outbound.dnsMaxLookups.defaultNumber
        package var cacheEntries = 4096
        /// Answers are kept at least this long (a TTL of 0 would send every call to the server) and
        /// at most this long (a changed record is seen within it whatever its TTL said).
        package var minimumTTL: UInt32 = 5
        package var maximumTTL: UInt32 = 300

        package init(servers: [SocketAddress], timeout: Duration = AppSettings.Outbound.dnsTimeout.defaultDuration) {
            self.servers = servers
            self.timeout = timeout
        }
    }

    enum Failure: Error, Equatable {
        /// The name does not exist, or has no address: a definite answer.
        case notFound
        /// No answer in time, a server failure, or too many lookups in flight: try again later.
        case temporary
    }

    let settings: Settings
    let hosts: HostsFile
    private var cache: [String: (addresses: [IPAddress], expires: ContinuousClock.Instant)] = [:]
    private var inFlight: [String: Task<Result<(addresses: [IPAddress], ttl: UInt32), Failure>, Never>] = [:]
    private var byTenant: [UUID: Int] = [:]
    private var running = 0

    init(settings: Settings, hosts: HostsFile = HostsFile.load()) {
        self.settings = settings
        self.hosts = hosts
    }

    /// The addresses of `name`, for `tenant` (nil for the operator's own lookups, bounded only in all).
    func addresses(of name: String, tenant: UUID?) async -> Result<[IPAddress], Failure> {
        var key = name.lowercased()
        if key.hasSuffix(".") { key.removeLast() }
        if let fixed = self.hosts.entries[key] { return .success(fixed) }
        let now = ContinuousClock.now
        if let cached = self.cache[key] {
            if cached.expires > now { return .success(cached.addresses) }
            self.cache[key] = nil
        }
        if let shared = self.inFlight[key] { return await shared.value.map(\.addresses) }
        guard self.running < self.settings.total, tenant.map({ self.byTenant[$0, default: 0] < self.settings.perTenant }) ?? true else {
            return .failure(.temporary)
        }
        self.running += 1
        if let tenant { self.byTenant[tenant, default: 0] += 1 }
        let settings = self.settings
        let lookup = Task { await Self.lookup(key, settings: settings) }
        self.inFlight[key] = lookup
        let result = await lookup.value
        self.inFlight[key] = nil
        self.running -= 1
        if let tenant {
            let left = self.byTenant[tenant, default: 1] - 1
            self.byTenant[tenant] = left > 0 ? left : nil
        }
        switch result {
        case .success(let found):
            self.remember(key, found.addresses, ttl: found.ttl)
            return .success(found.addresses)
        case .failure(let failure):
            return .failure(failure)
        }
    }

    private func remember(_ key: String, _ addresses: [IPAddress], ttl: UInt32) {
        let seconds = min(max(ttl, self.settings.minimumTTL), self.settings.maximumTTL)
        let now = ContinuousClock.now
        if self.cache.count >= self.settings.cacheEntries {
            self.cache = self.cache.filter { $0.value.expires > now }
            // Still full of live answers: the one due to expire first goes.
            if self.cache.count >= self.settings.cacheEntries, let first = self.cache.min(by: { $0.value.expires < $1.value.expires })?.key {
                self.cache[first] = nil
            }
        }
        self.cache[key] = (addresses, now + .seconds(Int64(seconds)))
    }

    /// A and AAAA asked together of each server in turn, each server given an equal share of the
    /// deadline. A definite answer (addresses, or no such name) ends the lookup.
    static func lookup(_ name: String, settings: Settings) async -> Result<(addresses: [IPAddress], ttl: UInt32), Failure> {
        guard !settings.servers.isEmpty else { return .failure(.temporary) }
        let share = settings.timeout / settings.servers.count
        for server in settings.servers {
            let first = UInt16.random(in: 0...UInt16.max)
            let ids = (first, first &+ 1)
            guard let a = DNSMessage.query(id: ids.0, name: name, type: .a), let aaaa = DNSMessage.query(id: ids.1, name: name, type: .aaaa) else {
                return .failure(.notFound)
            }
            let answers = await DNSExchange.ask(server, [.init(id: ids.0, bytes: a), .init(id: ids.1, bytes: aaaa)], timeout: share)
            var addresses: [IPAddress] = []
            var ttl: UInt32?
            var noSuchName = 0
            var empty = 0
            for (id, type) in [(ids.0, DNSMessage.RecordType.a), (ids.1, .aaaa)] {
                guard let bytes = answers[id], let answer = try? DNSMessage.parse(bytes, id: id, name: name, type: type) else { continue }
                switch answer.outcome {
                case .addresses(let found):
                    addresses += found
                    if found.isEmpty { empty += 1 }
                    if let t = answer.ttl { ttl = min(ttl ?? t, t) }
                case .noSuchName: noSuchName += 1
                case .temporaryFailure: break
                }
            }
            if !addresses.isEmpty { return .success((addresses, ttl ?? 0)) }
            // Both types answered definitely and neither has an address.
            if noSuchName + empty == 2 { return .failure(.notFound) }
        }
        return .failure(.temporary)
    }
}
