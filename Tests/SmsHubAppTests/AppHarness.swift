import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Postgres
import SmsHubDomain
import TestSupport
import Testing

@testable import SmsHubApp
@testable import SmsHubRepository

let adminToken = "test-admin-token-0123456789abcdef0123456789"
/// Tests call the simulator on loopback over plain HTTP, as `make run` allows it.
let testEgress = EgressPolicy(allowed: [IPNetwork("127.0.0.1/32")!], allowPlainHTTP: true)
let testKeyring = SecretKeyring(active: try! SecretKeyring.Key(id: "test1", bytes: [UInt8](repeating: 7, count: 32)))

/// A running service on a fresh database, reached over real HTTP on a loopback port.
struct AppHarness {
    let client: LiveClient
    let database: TestDatabase
    let pool: PGPool
    let metrics: ServiceMetrics

    struct Reply {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var body: ByteBuffer

        /// The body as a JSON object. Anything else (garbage, an array, nothing) fails the test that
        /// asked, so an assertion that a field is absent cannot pass on a body that is not JSON at all.
        var json: [String: Any] {
            guard let object = (try? JSONSerialization.jsonObject(with: Data(self.body.readableBytesView))) as? [String: Any] else {
                Issue.record("the response body is not a JSON object: \(String(buffer: self.body).prefix(200).debugDescription)")
                return [:]
            }
            return object
        }
        var text: String { String(buffer: self.body) }
        var contentType: String? { self.headers[.contentType] }
    }

    func request(
        _ method: HTTPRequest.Method,
        _ path: String,
        bearer: String? = nil,
        json: String? = nil,
        contentType: String? = "application/json",
        body: [UInt8]? = nil
    ) async throws -> Reply {
        var headers: HTTPFields = [:]
        if let bearer { headers[.authorization] = "Bearer \(bearer)" }
        var buffer: ByteBuffer?
        if let json {
            buffer = ByteBuffer(string: json)
        } else if let body {
            buffer = ByteBuffer(bytes: body)
        }
        if buffer != nil, let contentType { headers[.contentType] = contentType }
        let response = try await self.client.execute(uri: path, method: method, headers: headers, body: buffer)
        return Reply(status: response.status, headers: response.headers, body: response.body)
    }

    func admin(_ method: HTTPRequest.Method, _ path: String, json: String? = nil) async throws -> Reply {
        try await self.request(method, path, bearer: adminToken, json: json)
    }

    /// Creates a tenant and a key for it through the admin API; returns (tenant id, key).
    func makeTenant(_ name: String = "Acme") async throws -> (id: String, key: String) {
        let tenant = try await self.admin(.post, "/admin/tenants", json: #"{"name":"\#(name)"}"#)
        #expect(tenant.status == .created)
        let id = try #require(tenant.json["id"] as? String)
        let key = try await self.admin(.post, "/admin/tenants/\(id)/api-keys", json: #"{"name":"backend"}"#)
        #expect(key.status == .created)
        return (id, try #require(key.json["key"] as? String))
    }

    /// Provider calls as the service makes them, with a short deadline.
    func caller(timeout: Duration = TestTimeouts.outboundCall) -> OutboundCaller {
        OutboundCaller(
            client: GatewayClient(egress: testEgress, timeout: timeout),
            health: PostgresOutboundHealthRepository(database: Database(pool: self.pool)),
            metrics: self.metrics,
            logger: Logger(label: "test.outbound")
        )
    }

    /// Rows in every table a callback may write.
    func callbackRows() async throws -> Int {
        var sum = 0
        for table in ["status_events", "replies", "review_events", "callback_receipts"] { sum += try await self.count(table) }
        return sum
    }

    /// Superuser view of the database, to check what the API did (or did not) store.
    func count(_ table: String) async throws -> Int {
        try await withPool(url: self.database.superuserURL) { pool in
            try await pool.query("SELECT count(*) AS n FROM \(unescaped: table)").first!.decode("n", as: Int.self)
        }
    }
}

func configuration(for database: TestDatabase, egress: EgressPolicy = testEgress) -> AppConfiguration {
    AppConfiguration(
        host: "127.0.0.1",
        port: 0,
        databaseURL: database.appURL,
        migrationDatabaseURL: database.ownerURL,
        adminToken: adminToken,
        databasePoolSize: 4,
        keyring: testKeyring,
        publicBaseURL: "https://hub.example.test",
        egress: egress,
        outboundTimeout: TestTimeouts.outboundCall
    )
}

/// The service on a fresh database, with the server's real connection limits (`limits` to shorten them).
func withApp<R: Sendable>(
    limits: ServerLimits = ServerLimits(),
    statementTimeout: Duration? = nil,
    egress: EgressPolicy = testEgress,
    rateLimits: [RateLimitPolicy: RateLimit] = [:],
    _ body: @Sendable (AppHarness) async throws -> R
) async throws -> R {
    try await withAppPool(statementTimeout: statementTimeout) { pool, database in
        let repositories = Repositories(database: Database(pool: pool), migrator: Migrator(migrations: try Migration.bundled()))
        let configure = { (configuration: inout AppConfiguration) in
            configuration.egress = egress
            configuration.rateLimits = rateLimits
            configuration.serverLimits = limits
        }
        return try await withLiveRoutes(repositories, database: database, pool: pool, logLevel: .warning, configure: configure, body)
    }
}

/// The service's routes over `repositories` on a live loopback server, for tests that bring their own
/// database (a cluster of their own); `configure` adjusts the configuration first.
func withLiveRoutes<R: Sendable>(
    _ repositories: Repositories,
    database: TestDatabase,
    pool: PGPool,
    logLevel: Logger.Level = .critical,
    configure: (inout AppConfiguration) -> Void = { _ in },
    _ body: @Sendable (AppHarness) async throws -> R
) async throws -> R {
    var settings = configuration(for: database)
    configure(&settings)
    let services = Services(configuration: settings, repositories: repositories)
    var logger = Logger(label: "smshub.test")
    logger.logLevel = logLevel
    return try await buildApplication(services: services, logger: logger, background: false).live { client in
        try await body(AppHarness(client: client, database: database, pool: pool, metrics: services.metrics))
    }
}

/// Every problem response has the same shape and media type.
func expectProblem(_ reply: AppHarness.Reply, _ status: HTTPResponse.Status, code: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(reply.status == status, sourceLocation: sourceLocation)
    #expect(reply.contentType == "application/problem+json", sourceLocation: sourceLocation)
    let json = reply.json
    #expect(json["code"] as? String == code, sourceLocation: sourceLocation)
    #expect(json["type"] as? String == "/problems/\(code)", sourceLocation: sourceLocation)
    #expect(json["status"] as? Int == Int(status.code), sourceLocation: sourceLocation)
    #expect((json["title"] as? String)?.isEmpty == false, sourceLocation: sourceLocation)
    #expect(json["request_id"] as? String == reply.headers[HTTPField.Name("X-Request-Id")!], sourceLocation: sourceLocation)
}
