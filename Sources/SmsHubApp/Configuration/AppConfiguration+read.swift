package import Configuration
import Cryptography
import Foundation
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
    /// same) for those that never open provider secrets. Every problem is collected before any is thrown.
    package static func read(_ reader: ConfigReader, needsAdminToken: Bool, needsKeys: Bool? = nil) throws -> AppConfiguration {
        var settings = SettingsReader(reader)
        let databaseURL = settings.required(AppSettings.Database.url)
        let adminToken = settings.adminToken(needed: needsAdminToken)
        let keyring = needsKeys ?? needsAdminToken ? settings.keyring() : nil
        var configuration = AppConfiguration(
            host: settings.text(AppSettings.HTTP.host) ?? "",
            port: settings.number(AppSettings.HTTP.port),
            databaseURL: databaseURL ?? "",
            migrationDatabaseURL: settings.text(AppSettings.Database.migrationURL),
            adminToken: adminToken ?? "",
            databasePoolSize: settings.number(AppSettings.Database.poolSize),
            databaseStatementTimeout: settings.duration(AppSettings.Database.statementTimeout),
            logLevel: settings.logLevel(),
            serverLimits: settings.serverLimits(),
            keyring: try keyring ?? Self.throwawayKeyring(),
            publicBaseURL: settings.publicBaseURL(),
            egress: settings.egressPolicy(),
            outboundTimeout: settings.duration(AppSettings.Outbound.timeout),
            outboundLimits: settings.outboundLimits()
        )
        configuration.operationsListener = settings.operationsListener()
        configuration.webhookTimeout = settings.duration(AppSettings.Outbound.webhookTimeout)
        configuration.readDatabaseURL = settings.text(AppSettings.Database.readURL)
        configuration.readMaxLag = settings.duration(AppSettings.Database.readMaxLag)
        configuration.retentionInterval = settings.duration(AppSettings.Database.retentionInterval)
        configuration.dns = settings.nameResolver()
        configuration.rateLimits = settings.rateLimits()
        guard settings.problems.isEmpty else { throw Invalid(problems: settings.problems) }
        return configuration
    }

    /// Commands that never open provider secrets (migrate) get a key nobody can use.
    private static func throwawayKeyring() throws -> SecretKeyring {
        SecretKeyring(active: try SecretKeyring.Key(id: "unused", bytes: SecureRandom.bytes(32)))
    }
}
