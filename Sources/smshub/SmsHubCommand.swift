import ArgumentParser
import Foundation
import Logging
import NIOCore
import NIOPosix
import SmsHubApp

@main
enum Entry {
    static func main() async {
        tuneAllocator()
        // Tasks run on NIO's event loops, so awaiting I/O does not switch threads (decision 0018). Blocking
        // calls stay on thread pools of their own (libpq in PGPool, getaddrinfo in EgressResolver).
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        await SmsHubCommand.main()
    }
}

struct SmsHubCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "smshub",
        abstract: "Multi-tenant SMS hub.",
        subcommands: [Serve.self, Migrate.self, Rekey.self]
    )
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the HTTP service.")

    @Option(help: "Address to listen on (overrides SMSHUB_HOST).") var host: String?
    @Option(help: "Port to listen on (overrides SMSHUB_PORT).") var port: Int?
    @Flag(help: "Apply pending migrations before starting (uses MIGRATION_DATABASE_URL).") var migrate = false

    func run() async throws {
        var configuration = try await loadConfiguration(needsAdminToken: true)
        if let host { configuration.host = host }
        if let port { configuration.port = port }
        let logger = bootstrapLogging(level: configuration.logLevel)
        try await serve(configuration: configuration, logger: logger, migrate: self.migrate)
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending migrations from sql/ (as the schema owner).")

    func run() async throws {
        let configuration = try await loadConfiguration(needsAdminToken: false)
        let logger = bootstrapLogging(level: configuration.logLevel)
        let latest = try await migrateBundled(url: configuration.migrationDatabaseURL, logger: logger)
        logger.notice("migrations are current", metadata: ["latest": "\(latest)"])
    }
}

struct Rekey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-seal every stored provider credential under the active master key (SMSHUB_MASTER_KEY).",
        discussion:
            "Opens with SMSHUB_MASTER_KEY and SMSHUB_MASTER_KEY_PREVIOUS. Safe to run again, and to stop: each account is its own transaction."
    )

    func run() async throws {
        let configuration = try await loadConfiguration(needsAdminToken: false, needsKeys: true)
        let logger = bootstrapLogging(level: configuration.logLevel)
        let report = try await runRekey(configuration: configuration, logger: logger)
        print("rekey: \(report)")
        if report.unopenable > 0 { throw ExitCode(2) }
    }
}

func loadConfiguration(needsAdminToken: Bool, needsKeys: Bool? = nil) async throws -> AppConfiguration {
    do {
        return try await AppConfiguration.load(needsAdminToken: needsAdminToken, needsKeys: needsKeys)
    } catch let error as AppConfiguration.Invalid {
        throw ValidationError(error.description)
    }
}

func bootstrapLogging(level: Logger.Level) -> Logger {
    LoggingSystem.bootstrap { label in LogLineHandler(label: label, level: level) }
    var logger = Logger(label: "smshub")
    logger.logLevel = level
    return logger
}
