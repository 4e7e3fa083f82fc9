/// Every key the service reads, with its default and the values it accepts: the one place that
/// `.env.example`, the README's table and docs/operations.md are checked against (`scripts/check-docs`
/// reads the `Setting(...)` lines below, so keep each on one line with literal numbers).
///
/// Keys are dotted and lower case; the environment spells them upper case with underscores
/// (`smshub.db.pool_size` is `SMSHUB_DB_POOL_SIZE`), as swift-configuration's environment provider does.
enum AppSettings {
    enum Database {
        static let url = Setting.text("database.url")
        static let migrationURL = Setting.text("migration.database.url")
        static let readURL = Setting.text("database.read.url")
        static let poolSize = Setting.count("smshub.db.pool_size", default: 10, in: 1...500)
        static let statementTimeout = Setting.milliseconds("smshub.db.statement_timeout_ms", default: 2_000, in: 100...600_000)
        static let readMaxLag = Setting.milliseconds("smshub.read.max_lag_ms", default: 5_000, in: 100...3_600_000)
        static let retentionInterval = Setting.milliseconds("smshub.retention.interval_ms", default: 60_000, in: 100...86_400_000)
    }

    enum Secrets {
        static let adminToken = Setting.text("smshub.admin.token")
        static let masterKey = Setting.text("smshub.master.key")
        static let previousMasterKeys = Setting.text("smshub.master.key.previous")
    }

    enum HTTP {
        static let host = Setting.text("smshub.host", default: "127.0.0.1")
        static let port = Setting.port("smshub.port", default: 8_080)
        static let publicBaseURL = Setting.text("smshub.public.base.url")
        static let maxConnections = Setting.count("smshub.http.max_connections", in: 1...1_000_000)
        static let maxConnectionsPerAddress = Setting.count("smshub.http.max_connections_per_address", in: 0...1_000_000)
        static let idleTimeout = Setting.seconds("smshub.http.idle_timeout_s", default: 30, in: 1...3_600)
        static let operationsHost = Setting.text("smshub.ops.host", default: "127.0.0.1")
        static let operationsPort = Setting.port("smshub.ops.port")
        static let rateLimits = Setting.text("smshub.rate.limits")
    }

    enum Outbound {
        static let egressAllow = Setting.text("smshub.egress.allow")
        static let egressAllowHTTP = Setting.flag("smshub.egress.allow.http", default: false)
        static let timeout = Setting.milliseconds("smshub.outbound.timeout_ms", default: 10_000, in: 100...120_000)
        static let maxCalls = Setting.count("smshub.outbound.max_calls", default: 64, in: 1...10_000)
        static let maxCallsPerTenant = Setting.count("smshub.outbound.max_calls_per_tenant", default: 16, in: 1...10_000)
        static let maxCallsPerAccount = Setting.count("smshub.outbound.max_calls_per_account", default: 4, in: 1...10_000)
        static let webhookTimeout = Setting.milliseconds("smshub.webhook.timeout_ms", default: 15_000, in: 100...60_000)
        static let dnsServers = Setting.text("smshub.dns.servers")
        static let dnsTimeout = Setting.milliseconds("smshub.dns.timeout_ms", default: 2_000, in: 100...30_000)
        static let dnsMaxLookups = Setting.count("smshub.dns.max_lookups", default: 64, in: 1...10_000)
        static let dnsMaxLookupsPerTenant = Setting.count("smshub.dns.max_lookups_per_tenant", default: 4, in: 1...10_000)
    }

    static let logLevel = Setting.text("log.level", default: "info")
    /// A file of `KEY=value` lines read under the environment (which wins), for operators who keep
    /// settings in one place.
    static let file = Setting.text("smshub.config.file")
}

/// One key: how it is spelled, what it is when unset, and (for numbers) the values it accepts.
struct Setting: Sendable {
    enum Kind: Sendable { case text, flag, count, port, milliseconds, seconds }

    let key: String
    let kind: Kind
    /// For numbers, the value when unset (milliseconds or seconds for durations); nil: none.
    let fallback: Int?
    let fallbackText: String?
    let range: ClosedRange<Int>

    /// How the environment spells the key.
    var environmentName: String {
        self.key.uppercased().map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
    }

    static func text(_ key: String, default fallback: String? = nil) -> Setting {
        Setting(key: key, kind: .text, fallback: nil, fallbackText: fallback, range: 0...0)
    }

    static func flag(_ key: String, default fallback: Bool) -> Setting {
        Setting(key: key, kind: .flag, fallback: fallback ? 1 : 0, fallbackText: nil, range: 0...1)
    }

    static func count(_ key: String, default fallback: Int? = nil, in range: ClosedRange<Int>) -> Setting {
        Setting(key: key, kind: .count, fallback: fallback, fallbackText: nil, range: range)
    }

    static func port(_ key: String, default fallback: Int? = nil) -> Setting {
        Setting(key: key, kind: .port, fallback: fallback, fallbackText: nil, range: 0...65_535)
    }

    static func milliseconds(_ key: String, default fallback: Int, in range: ClosedRange<Int>) -> Setting {
        Setting(key: key, kind: .milliseconds, fallback: fallback, fallbackText: nil, range: range)
    }

    static func seconds(_ key: String, default fallback: Int, in range: ClosedRange<Int>) -> Setting {
        Setting(key: key, kind: .seconds, fallback: fallback, fallbackText: nil, range: range)
    }

    /// The default of a number that has one.
    var defaultNumber: Int { self.fallback ?? 0 }

    /// The default as a duration, for the kinds that are durations.
    var defaultDuration: Duration {
        self.kind == .seconds ? .seconds(self.defaultNumber) : .milliseconds(self.defaultNumber)
    }
}
