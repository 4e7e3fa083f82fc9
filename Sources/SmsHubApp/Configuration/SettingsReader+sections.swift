import Cryptography
import Foundation
import Logging
import SmsHubDomain

/// The settings that make up one value of the configuration, each read by its own rule, so that
/// `AppConfiguration.read` stays a list of what the service is configured with.
extension SettingsReader {
    mutating func adminToken(needed: Bool) -> String? {
        guard needed else { return self.text(AppSettings.Secrets.adminToken) }
        let token = self.required(AppSettings.Secrets.adminToken)
        if let token, token.count < AppConfiguration.minimumAdminTokenLength {
            self.problem("\(AppSettings.Secrets.adminToken.environmentName) must be at least \(AppConfiguration.minimumAdminTokenLength) characters")
        }
        return token
    }

    /// The master keys: the active one seals, every one opens.
    mutating func keyring() -> SecretKeyring? {
        guard let active = self.required(AppSettings.Secrets.masterKey) else { return nil }
        do {
            let previous = try (self.text(AppSettings.Secrets.previousMasterKeys) ?? "").split(separator: ",").map {
                try SecretKeyring.Key(parsing: String($0))
            }
            return SecretKeyring(active: try SecretKeyring.Key(parsing: active), others: previous)
        } catch {
            self.problem("\(AppSettings.Secrets.masterKey.environmentName)(_PREVIOUS): \(error)")
            return nil
        }
    }

    mutating func publicBaseURL() -> String? {
        self.parsed(AppSettings.HTTP.publicBaseURL, expected: "an http:// or https:// URL") {
            $0.hasPrefix("http://") || $0.hasPrefix("https://") ? $0 : nil
        }
    }

    mutating func logLevel() -> Logger.Level {
        self.parsed(AppSettings.logLevel, expected: "one of trace, debug, info, notice, warning, error, critical") {
            Logger.Level(rawValue: $0.lowercased())
        } ?? .info
    }

    mutating func serverLimits() -> ServerLimits {
        var limits = ServerLimits(idleTimeout: self.duration(AppSettings.HTTP.idleTimeout))
        limits.maxConnections = self.integer(AppSettings.HTTP.maxConnections)
        limits.maxConnectionsPerAddress = self.integer(AppSettings.HTTP.maxConnectionsPerAddress)
        return limits
    }

    /// A separate listener for `/metrics` and `/admin`: its host means nothing without its port.
    mutating func operationsListener() -> (host: String, port: Int)? {
        let port = self.integer(AppSettings.HTTP.operationsPort)
        if port == nil, self.isSet(AppSettings.HTTP.operationsHost) {
            self.problem("\(AppSettings.HTTP.operationsHost.environmentName) needs \(AppSettings.HTTP.operationsPort.environmentName)")
        }
        return port.map { (self.text(AppSettings.HTTP.operationsHost) ?? "", $0) }
    }

    mutating func rateLimits() -> [RateLimitPolicy: RateLimit] {
        self.parsed(
            AppSettings.HTTP.rateLimits,
            expected: "a list of policy=per_minute/burst entries (api, replay, retry, test, unauthenticated; 1-1000000 and 1-100000)"
        ) { RateLimitPolicy.parseDefaults($0) } ?? [:]
    }

    mutating func outboundLimits() -> OutboundLimits {
        OutboundLimits(
            total: self.number(AppSettings.Outbound.maxCalls),
            perTenant: self.number(AppSettings.Outbound.maxCallsPerTenant),
            perAccount: self.number(AppSettings.Outbound.maxCallsPerAccount)
        )
    }

    mutating func egressPolicy() -> EgressPolicy {
        var egress = EgressPolicy(allowPlainHTTP: self.flag(AppSettings.Outbound.egressAllowHTTP))
        egress.allowed =
            self.parsed(AppSettings.Outbound.egressAllow, expected: "a comma-separated list of CIDR blocks (127.0.0.1/32, ::1/128)") {
                let blocks = $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                let parsed = blocks.compactMap { IPNetwork($0) }
                return parsed.count == blocks.count ? parsed : nil
            } ?? []
        return egress
    }

    mutating func nameResolver() -> NameResolver.Settings {
        var dns = NameResolver.Settings(servers: [], timeout: self.duration(AppSettings.Outbound.dnsTimeout))
        dns.servers =
            self.parsed(
                AppSettings.Outbound.dnsServers,
                expected: "1 to 3 addresses, each with an optional port (10.0.0.2, 127.0.0.1:5353, [::1]:53)"
            ) { NameServers.parse($0) } ?? NameServers.system()
        dns.total = self.number(AppSettings.Outbound.dnsMaxLookups)
        dns.perTenant = self.number(AppSettings.Outbound.dnsMaxLookupsPerTenant)
        return dns
    }
}
