package import Logging
package import SmsHubDomain

/// Everything the service needs from its environment (`AppConfiguration+read.swift`; the keys are in
/// `AppSettings`); the CLI may override the listening address.
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
    package var webhookTimeout = AppSettings.Outbound.webhookTimeout.defaultDuration
    /// A streaming replica for lists and the daily summary (`DATABASE_READ_URL`, as `smshub_app`);
    /// nil reads everything from the primary. Contains a password: never log it.
    package var readDatabaseURL: String?
    /// How far behind the primary the replica may be and still serve reads (`SMSHUB_READ_MAX_LAG_MS`).
    package var readMaxLag = AppSettings.Database.readMaxLag.defaultDuration
    /// Time between retention passes (each pass takes at most `RetentionSweeper.maxSlices` slices per tenant).
    package var retentionInterval = AppSettings.Database.retentionInterval.defaultDuration
    /// This instance's default limits, by policy (`SMSHUB_RATE_LIMITS`); a tenant may have its own.
    package var rateLimits: [RateLimitPolicy: RateLimit] = [:]
    /// How tenant host names are resolved: servers, deadline, lookups in flight (`SMSHUB_DNS_*`).
    package var dns = NameResolver.Settings(servers: NameServers.system())

    package static let minimumAdminTokenLength = 32

    package init(
        host: String = "127.0.0.1",
        port: Int = AppSettings.HTTP.port.defaultNumber,
        databaseURL: String,
        migrationDatabaseURL: String? = nil,
        adminToken: String,
        databasePoolSize: Int = AppSettings.Database.poolSize.defaultNumber,
        databaseStatementTimeout: Duration = AppSettings.Database.statementTimeout.defaultDuration,
        logLevel: Logger.Level = .info,
        serverLimits: ServerLimits = ServerLimits(),
        keyring: SecretKeyring,
        publicBaseURL: String? = nil,
        egress: EgressPolicy = EgressPolicy(),
        outboundTimeout: Duration = AppSettings.Outbound.timeout.defaultDuration,
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
}
