import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Postgres
import TestSupport
import Testing

@testable import SmsHubApp
@testable import SmsHubRepository

@Suite(.tags(.slow), .timeLimit(.minutes(10))) struct OperationsTests {
    @Test func healthAndReadiness() async throws {
        try await withApp { app in
            let health = try await app.request(.get, "/healthz")
            #expect(health.status == .ok)
            #expect(health.json["status"] as? String == "ok")
            let ready = try await app.request(.get, "/readyz")
            #expect(ready.status == .ok)
            #expect(ready.json["status"] as? String == "ready")
        }
    }

    @Test func readinessFailsWhileMigrationsArePending() async throws {
        try await withTestDatabase(empty: true) { database in
            let migrator = Migrator(migrations: try Migration.bundled())
            let pool = PGPool(configuration: .test(url: database.ownerURL, maxConnections: 2))
            let dependencies = Repositories(database: Database(pool: pool), migrator: migrator)
            let built = buildRouter(services: Services(configuration: configuration(for: database), repositories: dependencies))
            let app = Application(router: built.router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: Logger(label: "test"))
            try await app.live { client in
                let reply = try await client.execute(uri: "/readyz", method: .get)
                #expect(reply.status == .serviceUnavailable)
                #expect(reply.headers[.contentType] == "application/problem+json")
                // Ready or not, and no more: which migrations are pending is for the operator's log.
                #expect(String(buffer: reply.body).contains("Not ready."))
                // The body's only text is the fixed problem; a request id may hold any digits, so the
                // migration numbers are looked for as the detail, not anywhere.
                let body = try JSONSerialization.jsonObject(with: Data(reply.body.readableBytesView)) as? [String: Any]
                #expect(body?["detail"] as? String == "Not ready.", "\(String(describing: body))")
                #expect(!String(buffer: reply.body).contains("pending") && !String(buffer: reply.body).contains("migration"))
                // Once migrated, the same server reports ready.
                _ = try await pool.withSession { try await migrator.migrate($0) }
                #expect(try await client.execute(uri: "/readyz", method: .get).status == .ok)
            }
            await pool.close()
        }
    }

    @Test func readinessFailsWhenTheDatabaseIsUnreachable() async throws {
        let pool = PGPool(
            configuration: PGConfiguration(url: "postgresql://smshub_app@127.0.0.1:1/none", maxConnections: 1, connectTimeoutSeconds: 1)
        )
        let dependencies = Repositories(database: Database(pool: pool), migrator: Migrator(migrations: try Migration.bundled()))
        let configuration = AppConfiguration(databaseURL: "postgresql://127.0.0.1:1/none", adminToken: adminToken, keyring: testKeyring)
        let built = buildRouter(services: Services(configuration: configuration, repositories: dependencies))
        let app = Application(router: built.router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: Logger(label: "test"))
        try await app.live { client in
            let ready = try await client.execute(uri: "/readyz", method: .get)
            #expect(ready.status == .serviceUnavailable)
            #expect(ready.headers[.retryAfter] == "1")
            // Requests that need the database answer 503, not 500, so callers retry.
            let tenants = try await client.execute(uri: "/admin/tenants", method: .get, headers: [.authorization: "Bearer \(adminToken)"])
            #expect(tenants.status == .serviceUnavailable)
            #expect(!String(buffer: tenants.body).contains("127.0.0.1"), "connection details stay out of responses")
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
        }
        await pool.close()
    }

    @Test func metricsCountRequestsByRouteAndStatus() async throws {
        try await withApp { app in
            _ = try await app.request(.get, "/healthz")
            _ = try await app.request(.get, "/healthz")
            _ = try await app.request(.get, "/v1/me")
            _ = try await app.request(.get, "/admin/tenants/\(UUID().uuidString)", bearer: adminToken)
            _ = try await app.request(.get, "/no-such-route")
            let metrics = try await app.request(.get, "/metrics")
            #expect(metrics.status == .ok)
            #expect(metrics.contentType?.hasPrefix("text/plain") == true)
            let text = metrics.text
            #expect(text.contains(#"smshub_http_requests_total{method="GET",route="/healthz",status="200"} 2"#))
            #expect(text.contains(#"smshub_http_requests_total{method="GET",route="/v1/me",status="401"} 1"#))
            #expect(text.contains(#"smshub_http_requests_total{method="GET",route="/admin/tenants/{tenant_id}",status="404"} 1"#))
            #expect(text.contains(#"route="unmatched",status="404""#))
            #expect(text.contains("smshub_http_request_duration_seconds_bucket"))
            #expect(text.contains(#"smshub_db_pool_connections{state="max"} 4.0"#))
        }
    }

    @Test func configurationListsMissingSettingsWithoutValues() throws {
        let error = try #require(throws: AppConfiguration.Invalid.self) {
            try AppConfiguration.fromEnvironment([
                "SMSHUB_ADMIN_TOKEN": "short-secret-value", "SMSHUB_PORT": "99999", "SMSHUB_MASTER_KEY": "k1:c2hvcnQ=",
            ])
        }
        #expect(error.problems.count == 4)
        #expect(error.description.contains("SMSHUB_MASTER_KEY"))
        #expect(!error.description.contains("c2hvcnQ="))
        #expect(error.description.contains("DATABASE_URL"))
        #expect(error.description.contains("SMSHUB_PORT"))
        #expect(!error.description.contains("short-secret-value"))
        let ok = try AppConfiguration.fromEnvironment(["DATABASE_URL": "postgresql://x@h/db"], needsAdminToken: false)
        #expect(ok.migrationDatabaseURL == "postgresql://x@h/db")
    }
}
