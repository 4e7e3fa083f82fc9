import Cryptography
import Foundation
package import Logging
package import SmsHubDomain

/// Everything the service needs from its environment. Values come from environment variables
/// (documented in `.env.example`); the CLI may override them.
package struct AppConfiguration: Sendable {
    package var host: String
    package var port: Int
    /// Service-role connection (`smshub_app`). Contains a password: never log it.
    package var databaseURL: String
    /// Schema-owner connection used only to migrate.
    package var migrationDatabaseURL: String
    package var adminToken: String
    package var databasePoolSize: Int
    /// The longest one database statement may take; a caller gets 503 about a second after it (see
    /// `PGConfiguration.statementTimeout`). Also how long a request waits for a free connection.
    package var databaseStatementTimeout: Duration
    package var logLevel: Logger.Level
    /// Connection cap and request-read deadlines of the HTTP server.
    package var serverLimits: ServerLimits
    /// Master keys sealing provider secrets; the first seals, all open.
    package var keyring: SecretKeyring
    /// Base of the callback URLs handed to providers, e.g. `https://sms.example.com`.
    package var publicBaseURL: String
    /// Which addresses tenant-supplied URLs may reach (`SMSHUB_EGRESS_ALLOW`, `SMSHUB_EGRESS_ALLOW_HTTP`).
    package var egress: EgressPolicy
    /// The deadline of one provider call, body included (`SMSHUB_OUTBOUND_TIMEOUT_MS`).
    package var outboundTimeout: Duration
    package var outboundLimits: OutboundLimits
    /// Endpoint workers and connections of webhook delivery, per instance.
    var webhookLimits = WebhookDeliverer.Limits()
    /// Where `/metrics` and `/admin` are served apart from the public routes (`SMSHUB_OPS_HOST`,
    /// `SMSHUB_OPS_PORT`); nil serves everything on one listener.
    package var operationsListener: (host: String, port: Int)?
    /// The deadline of one webhook delivery attempt (`SMSHUB_WEBHOOK_TIMEOUT_MS`): a 2xx within it
    /// counts as delivered.
    package var webhookTimeout: Duration = .seconds(15)
    /// A streaming replica for lists and the daily summary (`DATABASE_READ_URL`, as `smshub_app`);
    /// nil reads everything from the primary. Contains a password: never log it.
    package var readDatabaseURL: String?
    /// How far behind the primary the replica may be and still serve reads (`SMSHUB_READ_MAX_LAG_MS`).
    package var readMaxLag: Duration = .seconds(5)
    /// Time between retention passes (each pass takes at most `RetentionSweeper.maxSlices` slices per tenant).
    package var retentionInterval: Duration = .seconds(60)
    /// This instance's default limits, by policy (`SMSHUB_RATE_LIMITS`); a tenant may have its own.
    package var rateLimits: [RateLimitPolicy: RateLimit] = [:]
    /// How tenant host names are resolved: servers, deadline, lookups in flight (`SMSHUB_DNS_*`).
    package var dns = NameResolver.Settings(servers: NameServers.system())

    package static let minimumAdminTokenLength = 32

    package init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        databaseURL: String,
        migrationDatabaseURL: String? = nil,
        adminToken: String,
        databasePoolSize: Int = 10,
        databaseStatementTimeout: Duration = .seconds(2),
        logLevel: Logger.Level = .info,
        serverLimits: ServerLimits = ServerLimits(),
        keyring: SecretKeyring,
        publicBaseURL: String? = nil,
        egress: EgressPolicy = EgressPolicy(),
        outboundTimeout: Duration = .seconds(10),
        outboundLimits: OutboundLimits = OutboundLimits()
    ) {
        self.host = host
        self.port = port
        self.databaseURL = databaseURL
        self.migrationDatabaseURL = migrationDatabaseURL ?? databaseURL
        self.adminToken = adminToken
        self.databasePoolSize = databasePoolSize
        self.databaseStatementTimeout = databaseStatementTimeout
        self.logLevel = logLevel
        self.serverLimits = serverLimits
        self.keyring = keyring
        self.publicBaseURL = publicBaseURL ?? "http://\(host):\(port)"
        self.egress = egress
        self.outboundTimeout = outboundTimeout
        self.outboundLimits = outboundLimits
    }

    package struct Invalid: Error, CustomStringConvertible {
        /// Names of the settings at fault; never their values.
        package var problems: [String]
        package var description: String {
            "invalid configuration:\n" + self.problems.map { "  - \($0)" }.joined(separator: "\n")
        }
    }

    /// Reads the environment. `needsAdminToken` is false for commands that do not serve HTTP;
    /// `needsKeys` (by default the same) for those that never open provider secrets.
    package static func fromEnvironment(_ env: [String: String], needsAdminToken: Bool = true, needsKeys: Bool? = nil) throws -> AppConfiguration {
        var problems: [String] = []
        func value(_ name: String) -> String? {
            guard let v = env[name], !v.isEmpty else { return nil }
            return v
        }
        /// A duration given in milliseconds within `range`; a value outside it is a problem, not a clamp.
        func milliseconds(_ name: String, default fallback: Duration, in range: ClosedRange<Int>) -> Duration {
            guard let raw = value(name) else { return fallback }
            guard let n = Int(raw), range.contains(n) else {
                problems.append("\(name) must be \(range.lowerBound)...\(range.upperBound)")
                return fallback
            }
            return .milliseconds(n)
        }
        let databaseURL = value("DATABASE_URL")
        if databaseURL == nil { problems.append("DATABASE_URL is required") }
        let adminToken = value("SMSHUB_ADMIN_TOKEN") ?? ""
        if needsAdminToken {
            if adminToken.isEmpty {
                problems.append("SMSHUB_ADMIN_TOKEN is required")
            } else if adminToken.count < minimumAdminTokenLength {
                problems.append("SMSHUB_ADMIN_TOKEN must be at least \(minimumAdminTokenLength) characters")
            }
        }
        var port = 8080
        if let raw = value("SMSHUB_PORT") {
            if let p = Int(raw), (0...65535).contains(p) { port = p } else { problems.append("SMSHUB_PORT must be a port number") }
        }
        var poolSize = 10
        if let raw = value("SMSHUB_DB_POOL_SIZE") {
            if let n = Int(raw), (1...500).contains(n) { poolSize = n } else { problems.append("SMSHUB_DB_POOL_SIZE must be 1...500") }
        }
        let statementTimeout = milliseconds("SMSHUB_DB_STATEMENT_TIMEOUT_MS", default: .seconds(2), in: 100...600_000)
        var limits = ServerLimits()
        if let raw = value("SMSHUB_HTTP_MAX_CONNECTIONS") {
            if let n = Int(raw), (1...1_000_000).contains(n) {
                limits.maxConnections = n
            } else {
                problems.append("SMSHUB_HTTP_MAX_CONNECTIONS must be 1...1000000")
            }
        }
        if let raw = value("SMSHUB_HTTP_MAX_CONNECTIONS_PER_ADDRESS") {
            if let n = Int(raw), (0...1_000_000).contains(n) {
                limits.maxConnectionsPerAddress = n
            } else {
                problems.append("SMSHUB_HTTP_MAX_CONNECTIONS_PER_ADDRESS must be 0...1000000")
            }
        }
        if let raw = value("SMSHUB_HTTP_IDLE_TIMEOUT_S") {
            if let n = Int(raw), (1...3600).contains(n) {
                limits.idleTimeout = .seconds(n)
            } else {
                problems.append("SMSHUB_HTTP_IDLE_TIMEOUT_S must be 1...3600")
            }
        }
        var level = Logger.Level.info
        if let raw = value("LOG_LEVEL") {
            if let l = Logger.Level(rawValue: raw.lowercased()) {
                level = l
            } else {
                problems.append("LOG_LEVEL must be one of trace, debug, info, notice, warning, error, critical")
            }
        }
        var keyring: SecretKeyring?
        if needsKeys ?? needsAdminToken {
            do {
                guard let active = value("SMSHUB_MASTER_KEY") else { throw SecretKeyring.KeyringError.malformed }
                let previous = try (value("SMSHUB_MASTER_KEY_PREVIOUS") ?? "").split(separator: ",").map {
                    try SecretKeyring.Key(parsing: String($0))
                }
                keyring = SecretKeyring(active: try SecretKeyring.Key(parsing: active), others: previous)
            } catch let error as SecretKeyring.KeyringError {
                problems.append(value("SMSHUB_MASTER_KEY") == nil ? "SMSHUB_MASTER_KEY is required" : "SMSHUB_MASTER_KEY(_PREVIOUS): \(error)")
            }
        } else {
            // Commands that never touch provider secrets (migrate) get a throwaway key.
            keyring = SecretKeyring(active: try SecretKeyring.Key(id: "unused", bytes: SecureRandom.bytes(32)))
        }
        if let base = value("SMSHUB_PUBLIC_BASE_URL"), !(base.hasPrefix("http://") || base.hasPrefix("https://")) {
            problems.append("SMSHUB_PUBLIC_BASE_URL must start with http:// or https://")
        }
        var egress = EgressPolicy()
        if let raw = value("SMSHUB_EGRESS_ALLOW") {
            let blocks = raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            let parsed = blocks.compactMap { IPNetwork($0) }
            if parsed.count == blocks.count {
                egress.allowed = parsed
            } else {
                problems.append("SMSHUB_EGRESS_ALLOW must be a comma-separated list of CIDR blocks (127.0.0.1/32, ::1/128)")
            }
        }
        if let raw = value("SMSHUB_EGRESS_ALLOW_HTTP") {
            switch raw.lowercased() {
            case "1", "true", "yes": egress.allowPlainHTTP = true
            case "0", "false", "no": egress.allowPlainHTTP = false
            default: problems.append("SMSHUB_EGRESS_ALLOW_HTTP must be true or false")
            }
        }
        let outboundTimeout = milliseconds("SMSHUB_OUTBOUND_TIMEOUT_MS", default: .seconds(10), in: 100...120_000)
        let webhookTimeout = milliseconds("SMSHUB_WEBHOOK_TIMEOUT_MS", default: .seconds(15), in: 100...60_000)
        let readMaxLag = milliseconds("SMSHUB_READ_MAX_LAG_MS", default: .seconds(5), in: 100...3_600_000)
        let retentionInterval = milliseconds("SMSHUB_RETENTION_INTERVAL_MS", default: .seconds(60), in: 100...86_400_000)
        var operationsListener: (host: String, port: Int)?
        if let raw = value("SMSHUB_OPS_PORT") {
            if let p = Int(raw), (0...65535).contains(p) {
                operationsListener = (value("SMSHUB_OPS_HOST") ?? "127.0.0.1", p)
            } else {
                problems.append("SMSHUB_OPS_PORT must be a port number")
            }
        } else if value("SMSHUB_OPS_HOST") != nil {
            problems.append("SMSHUB_OPS_HOST needs SMSHUB_OPS_PORT")
        }
        var outboundLimits = OutboundLimits()
        for (name, keyPath) in [
            ("SMSHUB_OUTBOUND_MAX_CALLS", \OutboundLimits.total), ("SMSHUB_OUTBOUND_MAX_CALLS_PER_TENANT", \.perTenant),
            ("SMSHUB_OUTBOUND_MAX_CALLS_PER_ACCOUNT", \.perAccount),
        ] {
            guard let raw = value(name) else { continue }
            if let n = Int(raw), (1...10_000).contains(n) {
                outboundLimits[keyPath: keyPath] = n
            } else {
                problems.append("\(name) must be 1...10000")
            }
        }
        var dns = NameResolver.Settings(servers: [])
        if let raw = value("SMSHUB_DNS_SERVERS") {
            if let servers = NameServers.parse(raw) {
                dns.servers = servers
            } else {
                problems.append("SMSHUB_DNS_SERVERS must list 1 to 3 addresses, each with an optional port (10.0.0.2, 127.0.0.1:5353, [::1]:53)")
            }
        } else {
            dns.servers = NameServers.system()
        }
        dns.timeout = milliseconds("SMSHUB_DNS_TIMEOUT_MS", default: dns.timeout, in: 100...30_000)
        for (name, keyPath) in [("SMSHUB_DNS_MAX_LOOKUPS", \NameResolver.Settings.total), ("SMSHUB_DNS_MAX_LOOKUPS_PER_TENANT", \.perTenant)] {
            guard let raw = value(name) else { continue }
            if let n = Int(raw), (1...10_000).contains(n) {
                dns[keyPath: keyPath] = n
            } else {
                problems.append("\(name) must be 1...10000")
            }
        }
        var rateLimits: [RateLimitPolicy: RateLimit] = [:]
        if let raw = value("SMSHUB_RATE_LIMITS") {
            if let parsed = RateLimitPolicy.parseDefaults(raw) {
                rateLimits = parsed
            } else {
                problems.append(
                    "SMSHUB_RATE_LIMITS must list policy=per_minute/burst entries (api, replay, retry, test, unauthenticated; 1-1000000 and 1-100000)"
                )
            }
        }
        guard problems.isEmpty, let databaseURL, let keyring else { throw Invalid(problems: problems) }
        var configuration = AppConfiguration(
            host: value("SMSHUB_HOST") ?? "127.0.0.1",
            port: port,
            databaseURL: databaseURL,
            migrationDatabaseURL: value("MIGRATION_DATABASE_URL"),
            adminToken: adminToken,
            databasePoolSize: poolSize,
            databaseStatementTimeout: statementTimeout,
            logLevel: level,
            serverLimits: limits,
            keyring: keyring,
            publicBaseURL: value("SMSHUB_PUBLIC_BASE_URL"),
            egress: egress,
            outboundTimeout: outboundTimeout,
            outboundLimits: outboundLimits
        )
        configuration.operationsListener = operationsListener
        configuration.webhookTimeout = webhookTimeout
        configuration.readDatabaseURL = value("DATABASE_READ_URL")
        configuration.readMaxLag = readMaxLag
        configuration.retentionInterval = retentionInterval
        configuration.dns = dns
        configuration.rateLimits = rateLimits
        return configuration
    }
}
