import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import SmsHubDomain
import TestSupport
import Testing

@testable import SmsHubApp
@testable import SmsHubRepository

/// With an operations listener configured, `/metrics` and `/admin` are served there and nowhere else,
/// so a deployment can expose callbacks and the tenant API alone.
@Suite(.tags(.slow), .timeLimit(.minutes(10))) struct OperationsListenerTests {
    @Test func metricsAndAdminMoveToTheOperationsListener() async throws {
        try await withAppPool { pool, database in
            var config = configuration(for: database)
            config.operationsListener = ("127.0.0.1", 0)
            let dependencies = Repositories(database: Database(pool: pool), migrator: Migrator(migrations: try Migration.bundled()))
            let built = buildRouter(services: Services(configuration: config, repositories: dependencies))
            let operations = try #require(built.operations)
            var logger = Logger(label: "test.ops")
            logger.logLevel = .warning
            let admin: HTTPFields = [.authorization: "Bearer \(adminToken)"]

            try await Application(router: built.router, logger: logger).test(.router) { client throws in
                #expect(try await Self.status(client, "/healthz") == .ok)
                #expect(try await Self.status(client, "/metrics") == .notFound)
                #expect(try await Self.status(client, "/admin/tenants", admin) == .notFound)
                #expect(try await Self.status(client, "/v1/me") == .unauthorized, "the tenant API stays public")
            }
            try await Application(router: operations, logger: logger).test(.router) { client throws in
                #expect(try await Self.status(client, "/healthz") == .ok)
                #expect(try await Self.status(client, "/metrics") == .ok)
                #expect(try await Self.status(client, "/admin/tenants", admin) == .ok)
                #expect(try await Self.status(client, "/v1/me") == .notFound)
            }
            // The contract lists every route once, wherever it is served.
            let paths = built.routes.map(\.description)
            let expected = ["GET /metrics", "GET /admin/tenants", "POST /v1/messages"]
            #expect(expected.allSatisfy(paths.contains))
            #expect(paths.filter { $0 == "GET /healthz" }.count == 1)
        }
    }

    static func status(_ client: some TestClientProtocol, _ uri: String, _ headers: HTTPFields = [:]) async throws -> HTTPResponse.Status {
        try await client.execute(uri: uri, method: .get, headers: headers).status
    }

    @Test func theListenerIsConfiguredByPortAlone() throws {
        let base = [
            "DATABASE_URL": "postgresql://x@127.0.0.1/x", "SMSHUB_ADMIN_TOKEN": adminToken,
            "SMSHUB_MASTER_KEY": "k1:" + Data(repeating: 1, count: 32).base64EncodedString(),
        ]
        #expect(try AppConfiguration.fromEnvironment(base).operationsListener == nil)
        let split = try AppConfiguration.fromEnvironment(base.merging(["SMSHUB_OPS_PORT": "9091"]) { $1 })
        #expect(split.operationsListener?.host == "127.0.0.1")
        #expect(split.operationsListener?.port == 9091)
        #expect(throws: AppConfiguration.Invalid.self) { try AppConfiguration.fromEnvironment(base.merging(["SMSHUB_OPS_HOST": "0.0.0.0"]) { $1 }) }
        #expect(throws: AppConfiguration.Invalid.self) {
            try AppConfiguration.fromEnvironment(base.merging(["SMSHUB_EGRESS_ALLOW": "10.0.0.0/40"]) { $1 })
        }
        let egress = try AppConfiguration.fromEnvironment(
            base.merging(["SMSHUB_EGRESS_ALLOW": "127.0.0.1/32, ::1/128", "SMSHUB_EGRESS_ALLOW_HTTP": "true"]) { $1 }
        ).egress
        #expect(egress.allowed.count == 2 && egress.allowPlainHTTP)
    }
}
