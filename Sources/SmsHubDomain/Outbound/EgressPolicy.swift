import Foundation

/// Which URLs a tenant may make the hub call, and which addresses those calls may reach. Every
/// tenant-supplied URL (a provider account's `base_url`, and any later one) is checked twice: its
/// form when saved, and the addresses its host resolves to, when saved and again at every call, with
/// the call made to the address that passed (a name may resolve elsewhere by then).
public struct EgressPolicy: Sendable, Equatable {
    /// Blocks the operator allows although they are not public (`SMSHUB_EGRESS_ALLOW`), e.g. the
    /// loopback simulator in development.
    package var allowed: [IPNetwork]
    /// Whether `http://` URLs may be called at all (`SMSHUB_EGRESS_ALLOW_HTTP`).
    package var allowPlainHTTP: Bool

    public init(allowed: [IPNetwork] = [], allowPlainHTTP: Bool = false) {
        self.allowed = allowed
        self.allowPlainHTTP = allowPlainHTTP
    }

    /// Why a URL or an address was refused. The descriptions are the documented reasons a tenant
    /// sees; they name the rule, never what the target answered.
    public enum Refusal: Error, Equatable, Sendable, CustomStringConvertible {
        case malformed
        case plainHTTP
        case credentialsInURL
        case queryOrFragment
        case unresolvable
        /// The name could not be resolved now (no answer in time, a server failure, too many
        /// lookups in flight): a transient failure, retried like any other.
        case lookupFailed
        case forbiddenAddress

        package var code: String {
            switch self {
            case .malformed: "malformed_url"
            case .plainHTTP: "plain_http"
            case .credentialsInURL: "credentials_in_url"
            case .queryOrFragment: "query_or_fragment"
            case .unresolvable: "unresolvable_host"
            case .lookupFailed: "lookup_failed"
            case .forbiddenAddress: "forbidden_address"
            }
        }

        public var description: String {
            switch self {
            case .malformed: "must be an absolute http(s) URL with a host"
            case .plainHTTP: "must use https"
            case .credentialsInURL: "must not carry a user name or password"
            case .queryOrFragment: "must not carry a query or fragment (the hub appends the API path)"
            case .unresolvable: "has a host name that does not resolve"
            case .lookupFailed: "has a host name that could not be resolved in time; it is tried again"
            case .forbiddenAddress: "resolves to an address the hub does not call (loopback, private, link-local, multicast, reserved or metadata)"
            }
        }
    }

    /// A URL that passed the form checks: where to connect, before resolution.
    public struct Target: Sendable, Equatable {
        package var scheme: String
        public var host: String
        public var port: Int
        /// The URL as given, without a trailing slash, to which API paths are appended.
        public var base: String
    }

    public func target(_ text: String) -> Result<Target, Refusal> {
        guard text.utf8.count <= 512, !text.contains(where: { $0.isWhitespace || $0 == "\\" }),
            let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", var host = components.percentEncodedHost, !host.isEmpty
        else { return .failure(.malformed) }
        guard components.user == nil, components.password == nil, !text.contains("@") else { return .failure(.credentialsInURL) }
        guard components.query == nil, components.fragment == nil, !text.contains("?"), !text.contains("#") else { return .failure(.queryOrFragment) }
        guard scheme == "https" || self.allowPlainHTTP else { return .failure(.plainHTTP) }
        if host.hasPrefix("["), host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
            guard !host.isEmpty, host.utf8.allSatisfy({ Self.isHexDigit($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") }) else {
                return .failure(.malformed)
            }
        } else {
            // Letters, digits, dots and hyphens only: no percent-encoding or other spellings the HTTP
            // client might read differently from the resolver.
            guard host.utf8.allSatisfy({ Self.isHostByte($0) }) else { return .failure(.malformed) }
        }
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        guard (1...65535).contains(port) else { return .failure(.malformed) }
        let base = text.hasSuffix("/") ? String(text.dropLast()) : text
        return .success(Target(scheme: scheme, host: host.lowercased(), port: port, base: base))
    }

    static func isHexDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte | 0x20)
    }

    static func isHostByte(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
            || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")
    }

    /// Whether the hub may connect to `address`: public, or inside an allowed block.
    public func permits(_ address: IPAddress) -> Bool {
        if self.allowed.contains(where: { $0.contains(address) }) { return true }
        if let v4 = address.embeddedV4 {
            let inner = IPAddress.v4(v4)
            if self.allowed.contains(where: { $0.contains(inner) }) { return true }
            return !Self.nonPublic.contains { $0.contains(inner) }
        }
        return !Self.nonPublic.contains { $0.contains(address) }
    }

    /// This policy with `blocks` allowed too: an administrator's blocks for one tenant or account.
    package func allowing(_ blocks: [IPNetwork]) -> EgressPolicy {
        blocks.isEmpty ? self : EgressPolicy(allowed: self.allowed + blocks, allowPlainHTTP: self.allowPlainHTTP)
    }

    /// Whether `address` is on the public Internet, whatever any allow list says: what a non-public
    /// address answers is never stored or shown (only its status and timing).
    package static func isPublic(_ address: IPAddress) -> Bool {
        EgressPolicy().permits(address)
    }

    /// The most blocks an administrator may allow for one tenant or one account.
    package static let maxAllowances = 16

    /// Every address the resolver gave must pass: a name answering with one public and one private
    /// address is refused rather than raced. Returns the address to connect to.
    package func choose(_ addresses: [IPAddress]) -> Result<IPAddress, Refusal> {
        guard let first = addresses.first else { return .failure(.unresolvable) }
        guard addresses.allSatisfy(self.permits) else { return .failure(.forbiddenAddress) }
        return .success(first)
    }

    /// Blocks that are not the public Internet (IANA special-purpose registries), metadata services
    /// included: 169.254.169.254 (link-local), fd00:ec2::254 (unique local), 100.100.100.200 (shared).
    static let nonPublic: [IPNetwork] = [
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
        "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
        "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
        "192.31.196.0/24", "192.52.193.0/24", "192.175.48.0/24",
        // IPv6, with every block that carries or translates IPv4: mapped (::ffff:0:0/96), translated
        // (::ffff:0:0:0/96, SIIT), compatible (::/96), NAT64 (64:ff9b::/96, 64:ff9b:1::/48), 6to4
        // (2002::/16), Teredo (2001::/32 within 2001::/23); the documentation blocks 2001:db8::/32 and
        // 3fff::/20, discard-only 100::/64 and 100:0:0:1::/64, SRv6 5f00::/16.
        "::/96", "::1/128", "::ffff:0:0/96", "::ffff:0:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "100:0:0:1::/64",
        "2001::/23", "2001:db8::/32", "2002::/16", "3fff::/20", "5f00::/16", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
    ].compactMap { IPNetwork($0) }
}
