import Foundation
import Testing

@testable import SmsHubApp

/// The configuration rules: one per kind of value, problems named by key and never by value, and
/// an operator's file under the environment.
@Suite struct ConfigurationTests {
    let base = [
        "DATABASE_URL": "postgresql://x@h/db",
        "SMSHUB_ADMIN_TOKEN": String(repeating: "a", count: 32),
        "SMSHUB_MASTER_KEY": "k1:" + Data(repeating: 7, count: 32).base64EncodedString(),
    ]

    @Test func everyKindRefusesWhatItCannotRead() throws {
        let bad = [
            "SMSHUB_DB_POOL_SIZE": "ten", "SMSHUB_HTTP_MAX_CONNECTIONS": "0", "SMSHUB_OUTBOUND_TIMEOUT_MS": "99",
            "SMSHUB_HTTP_IDLE_TIMEOUT_S": "2.5", "SMSHUB_OPS_PORT": "-1", "SMSHUB_EGRESS_ALLOW_HTTP": "maybe",
            "SMSHUB_DNS_SERVERS": "not an address", "LOG_LEVEL": "loud", "SMSHUB_PUBLIC_BASE_URL": "ftp://x",
        ]
        let error = try #require(throws: AppConfiguration.Invalid.self) {
            try AppConfiguration.fromEnvironment(base.merging(bad) { $1 })
        }
        for key in bad.keys { #expect(error.problems.contains { $0.hasPrefix(key + " ") }, "\(key): \(error.problems)") }
        #expect(error.problems.count == bad.count)
        for value in bad.values { #expect(!error.description.contains(value) || value.count < 3, "\(value) quoted") }
        #expect(error.description.contains("SMSHUB_DB_POOL_SIZE must be 1...500"))
        #expect(error.description.contains("SMSHUB_OPS_PORT must be a port number"))
    }

    @Test func defaultsComeFromTheTable() throws {
        let configuration = try AppConfiguration.fromEnvironment(base)
        #expect(configuration.port == AppSettings.HTTP.port.defaultNumber)
        #expect(configuration.databasePoolSize == AppSettings.Database.poolSize.defaultNumber)
        #expect(configuration.outboundTimeout == AppSettings.Outbound.timeout.defaultDuration)
        #expect(configuration.outboundLimits.perAccount == AppSettings.Outbound.maxCallsPerAccount.defaultNumber)
        #expect(configuration.dns.total == AppSettings.Outbound.dnsMaxLookups.defaultNumber)
        #expect(configuration.serverLimits.idleTimeout == AppSettings.HTTP.idleTimeout.defaultDuration)
        #expect(configuration.operationsListener == nil)
        #expect(AppSettings.Database.poolSize.environmentName == "SMSHUB_DB_POOL_SIZE")
    }

    @Test func aFileFillsWhatTheEnvironmentLeaves() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("smshub-\(UUID().uuidString).env").path
        try "SMSHUB_DB_POOL_SIZE=7\nSMSHUB_PORT=9999\n# a comment\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let environment = base.merging(["SMSHUB_CONFIG_FILE": path, "SMSHUB_PORT": "8181"]) { $1 }
        let configuration = try await AppConfiguration.load(environment: environment, needsAdminToken: true)
        #expect(configuration.databasePoolSize == 7)
        #expect(configuration.port == 8181)

        try "SMSHUB_DB_POOL_SIZE=9000\n".write(toFile: path, atomically: true, encoding: .utf8)
        let error = try await #require(throws: AppConfiguration.Invalid.self) {
            try await AppConfiguration.load(environment: environment, needsAdminToken: true)
        }
        #expect(error.problems == ["SMSHUB_DB_POOL_SIZE must be 1...500"])

        let missing = base.merging(["SMSHUB_CONFIG_FILE": path + ".absent"]) { $1 }
        let unreadable = try await #require(throws: AppConfiguration.Invalid.self) {
            try await AppConfiguration.load(environment: missing, needsAdminToken: true)
        }
        #expect(unreadable.problems.count == 1 && !unreadable.description.contains(".absent"))
    }
}
