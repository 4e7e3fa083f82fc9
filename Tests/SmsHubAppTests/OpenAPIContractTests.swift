import Foundation
import Postgres
@testable import SmsHubApp
import SmsHubRepository
import Testing
import Yams

/// The contract and the server must list the same routes: a route added to one and not the other fails here.
@Suite struct OpenAPIContractTests {
    static let specURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("openapi.yaml")

    func specRoutes() throws -> Set<ServedRoute> {
        let text = try String(contentsOf: Self.specURL, encoding: .utf8)
        let spec = try #require(try Yams.load(yaml: text) as? [String: Any])
        #expect((spec["openapi"] as? String)?.hasPrefix("3.1") == true)
        let paths = try #require(spec["paths"] as? [String: Any])
        var routes = Set<ServedRoute>()
        for (path, item) in paths {
            let operations = try #require(item as? [String: Any])
            for method in operations.keys where ["get", "put", "post", "delete", "patch", "options", "head"].contains(method) {
                routes.insert(ServedRoute(method: method.uppercased(), path: path))
            }
        }
        return routes
    }

    func servedRoutes() throws -> Set<ServedRoute> {
        // Building the router needs no connection; the pool connects lazily.
        let pool = PGPool(configuration: PGConfiguration(url: "postgresql://unused@127.0.0.1:1/unused"))
        let dependencies = AppDependencies(database: Database(pool: pool), migrator: Migrator(migrations: try Migration.bundled()))
        let built = buildRouter(configuration: AppConfiguration(databaseURL: "unused", adminToken: adminToken, keyring: testKeyring), dependencies: dependencies)
        // HEAD is generated for every GET and documented once, in the spec's description.
        return Set(built.routes.filter { $0.method != "HEAD" })
    }

    @Test func specAndServerListTheSameRoutes() throws {
        let spec = try specRoutes()
        let served = try servedRoutes()
        #expect(!served.isEmpty)
        let undocumented = served.subtracting(spec).map(\.description).sorted()
        let unserved = spec.subtracting(served).map(\.description).sorted()
        #expect(undocumented.isEmpty, "served but not in openapi.yaml: \(undocumented)")
        #expect(unserved.isEmpty, "in openapi.yaml but not served: \(unserved)")
    }

    @Test func everyOperationDocumentsItsErrors() throws {
        let text = try String(contentsOf: Self.specURL, encoding: .utf8)
        let spec = try #require(try Yams.load(yaml: text) as? [String: Any])
        let paths = try #require(spec["paths"] as? [String: [String: Any]])
        for (path, item) in paths {
            for (method, value) in item where method != "parameters" {
                let operation = try #require(value as? [String: Any])
                let responses = try #require(operation["responses"] as? [String: Any], "\(method) \(path)")
                if path.hasPrefix("/admin") || path.hasPrefix("/v1") {
                    #expect(responses["401"] != nil, "\(method) \(path) must document 401")
                    #expect(operation["security"] != nil, "\(method) \(path) must name its security scheme")
                    #expect(responses["503"] != nil, "\(method) \(path) must document 503")
                }
            }
        }
    }
}
