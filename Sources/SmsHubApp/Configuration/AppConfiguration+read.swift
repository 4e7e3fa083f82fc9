package import Configuration
import Cryptography
import Foundation
import Logging
import SmsHubDomain
import SystemPackage

extension AppConfiguration {
    /// The process's configuration: its environment, over the file `SMSHUB_CONFIG_FILE` names if any.
    package static func load(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        needsAdminToken: Bool,
        needsKeys: Bool? = nil
    ) async throws -> AppConfiguration {
        var providers: [any ConfigProvider] = [EnvironmentVariablesProvider(environmentVariables: environment)]
        if let path = environment[AppSettings.file.environmentName], !path.isEmpty {
            do {
                providers.append(try await EnvironmentVariablesProvider(environmentFilePath: FilePath(path)))
            } catch {
                throw Invalid(problems: ["\(AppSettings.file.environmentName) names a file that cannot be read as KEY=value lines"])
            }
        }
        return try self.read(ConfigReader(providers: providers), needsAdminToken: needsAdminToken, needsKeys: needsKeys)
    }

    /// `environment` alone, as variables.
    package static func fromEnvironment(
        _ environment: [String: String],
        needsAdminToken: Bool = true,
        needsKeys: Bool? = nil
    ) throws
        -> AppConfiguration
    {
        try self.read(
            ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: environment)),
            needsAdminToken: needsAdminToken,
            needsKeys: needsKeys
        )
    }

    /// `needsAdminToken` is false for commands that do not serve HTTP; `needsKeys` (by default the
    /// same) for those that never open provider secrets.
    package static func read(_ reader: ConfigReader, needsAdminToken: Bool, needsKeys: Bool? = nil) throws -> AppConfiguration {
        var settings = SettingsReader(reader)
        let databaseURL = settings.required(AppSettings.Database.url)
        let adminToken = needsAdminToken ? settings.required(AppSettings.Secrets.adminToken) : settings.text(AppSettings.Secrets.adminToken)
        if needsAdminToken, let adminToken, adminToken.count < minimumAdminTokenLength {
            settings.problem("\(AppSettings.Secrets.adminToken.environmentName) must be at least \(minimumAdminTokenLength) characters")
        }
        let keyring = try needsKeys ?? needsAdminToken ? Self.keyring(&settings) : Self.throwawayKeyring()
        let publicBaseURL = settings.parsed(AppSettings.HTTP.publicBaseURL, expected: "an http:// or https:// URL") {
            $0.hasPrefix("http://") || $0.hasPrefix("https://") ? $0 : nil
        }
        var limits = ServerLimits(idleTimeout: settings.duration(AppSettings.HTTP.idleTimeout))
        limits.maxConnections = settings.integer(AppSettings.HTTP.maxConnections)
        limits.maxConnectionsPerAddress = settings.integer(AppSettings.HTTP.maxConnectionsPerAddress)
        let outboundLimits = OutboundLimits(
            total: settings.number(AppSettings.Outbound.maxCalls),
            perTenant: settings.number(AppSettings.Outbound.maxCallsPerTenant),
            perAccount: settings.number(AppSettings.Outbound.maxCallsPerAccount)
        )
        var egress = EgressPolicy(allowPlainHTTP: settings.flag(AppSettings.Outbound.egressAllowHTTP))
        egress.allowed =
            settings.parsed(AppSettings.Outbound.egressAllow, expected: "a comma-separated list of CIDR blocks (127.0.0.1/32, ::1/128)") {
                let blocks = $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                let parsed = blocks.compactMap { IPNetwork($0) }
                return parsed.count == blocks.count ? parsed : nil
            } ?? []
        var dns = NameResolver.Settings(servers: [], timeout: settings.duration(AppSettings.Outbound.dnsTimeout))
        dns.servers =
            settings.parsed(
                AppSettings.Outbound.dnsServers,
                expected: "1 to 3 addresses, each with an optional port (10.0.0.2, 127.0.0.1:5353, [::1]:53)"
            ) {
                NameServers.parse($0)
            } ?? NameServers.system()
        dns.total = settings.number(AppSettings.Outbound.dnsMaxLookups)
        dns.perTenant = settings.number(AppSettings.Outbound.dnsMaxLookupsPerTenant)
        let operationsPort = settings.integer(AppSettings.HTTP.operationsPort)
        if operationsPort == nil, settings.isSet(AppSettings.HTTP.operationsHost) {
            settings.problem("\(AppSettings.HTTP.operationsHost.environmentName) needs \(AppSettings.HTTP.operationsPort.environmentName)")
        }
        let rateLimits = settings.parsed(
            AppSettings.HTTP.rateLimits,
            expected: "a list of policy=per_minute/burst entries (api, replay, retry, test, unauthenticated; 1-1000000 and 1-100000)"
        ) { RateLimitPolicy.parseDefaults($0) }
        let level = settings.parsed(AppSettings.logLevel, expected: "one of trace, debug, info, notice, warning, error, critical") {
            Logger.Level(rawValue: $0.lowercased())
        }
        var configuration = AppConfiguration(
            host: settings.text(AppSettings.HTTP.host) ?? "",
            port: settings.number(AppSettings.HTTP.port),
            databaseURL: databaseURL ?? "",
            migrationDatabaseURL: settings.text(AppSettings.Database.migrationURL),
            adminToken: adminToken ?? "",
            databasePoolSize: settings.number(AppSettings.Database.poolSize),
            databaseStatementTimeout: settings.duration(AppSettings.Database.statementTimeout),
            logLevel: level ?? .info,
            serverLimits: limits,
            keyring: try keyring ?? Self.throwawayKeyring(),
            publicBaseURL: publicBaseURL,
            egress: egress,
            outboundTimeout: settings.duration(AppSettings.Outbound.timeout),
            outboundLimits: outboundLimits
        )
        configuration.operationsListener = operationsPort.map { (settings.text(AppSettings.HTTP.operationsHost) ?? "", $0) }
        configuration.webhookTimeout = settings.duration(AppSettings.Outbound.webhookTimeout)
        configuration.readDatabaseURL = settings.text(AppSettings.Database.readURL)
        configuration.readMaxLag = settings.duration(AppSettings.Database.readMaxLag)
        configuration.retentionInterval = settings.duration(AppSettings.Database.retentionInterval)
        configuration.dns = dns
        configuration.rateLimits = rateLimits ?? [:]
        guard settings.problems.isEmpty else { throw Invalid(problems: settings.problems) }
        return configuration
    }

    /// The master keys: the active one seals, every one opens.
    private static func keyring(_ settings: inout SettingsReader) -> SecretKeyring? {
        guard let active = settings.required(AppSettings.Secrets.masterKey) else { return nil }
        do {
            let previous = try (settings.text(AppSettings.Secrets.previousMasterKeys) ?? "").split(separator: ",").map {
                try SecretKeyring.Key(parsing: String($0))
            }
            return SecretKeyring(active: try SecretKeyring.Key(parsing: active), others: previous)
        } catch {
            settings.problem("\(AppSettings.Secrets.masterKey.environmentName)(_PREVIOUS): \(error)")
            return nil
        }
    }

    /// Commands that never open provider secrets (migrate) get a key nobody can use.
    private static func throwawayKeyring() throws -> SecretKeyring {
        SecretKeyring(active: try SecretKeyring.Key(id: "unused", bytes: SecureRandom.bytes(32)))
    }
}
