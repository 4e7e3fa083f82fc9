import Foundation
import Postgres
import Testing
import Yams

@testable import SmsHubApp
@testable import SmsHubRepository

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
        let dependencies = Repositories(database: Database(pool: pool), migrator: Migrator(migrations: try Migration.bundled()))
        let configuration = AppConfiguration(databaseURL: "unused", adminToken: adminToken, keyring: testKeyring)
        let built = buildRouter(services: Services(configuration: configuration, repositories: dependencies))
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

    /// A problem response names its codes as "`code`:" or "`code` (…)"; each must be one the Problem
    /// schema allows, or a client validating against the spec rejects the server's own answer.
    @Test func problemCodesNamedByResponsesAreInTheProblemSchema() throws {
        let text = try String(contentsOf: Self.specURL, encoding: .utf8)
        let spec = try #require(try Yams.load(yaml: text) as? [String: Any])
        let components = try #require(spec["components"] as? [String: Any])
        let schemas = try #require(components["schemas"] as? [String: Any])
        let problem = try #require(schemas["Problem"] as? [String: Any])
        let properties = try #require(problem["properties"] as? [String: Any])
        let code = try #require(properties["code"] as? [String: Any])
        let allowed = Set(try #require(code["enum"] as? [String]))
        var responses: [(String, [String: Any])] = []
        for (name, value) in components["responses"] as? [String: Any] ?? [:] {
            if let response = value as? [String: Any] { responses.append((name, response)) }
        }
        for (path, item) in spec["paths"] as? [String: [String: Any]] ?? [:] {
            for (method, value) in item {
                for (status, response) in (value as? [String: Any])?["responses"] as? [String: Any] ?? [:] {
                    if let response = response as? [String: Any] { responses.append(("\(method) \(path) \(status)", response)) }
                }
            }
        }
        let named = try Regex(#"`([a-z_]+)`(?::| \()"#)
        var checked = 0
        for (name, response) in responses {
            guard let content = response["content"] as? [String: Any], content["application/problem+json"] != nil,
                let description = response["description"] as? String
            else { continue }
            for match in description.matches(of: named) {
                let token = String(description[match.range].dropFirst().prefix { $0 != "`" })
                #expect(allowed.contains(token), "\(name) names `\(token)`, which the Problem schema's code enum lacks")
                checked += 1
            }
        }
        #expect(checked > 10)
    }

    /// The query parameters each list reads are the ones its operation documents, no more, no fewer.
    @Test func queryParametersMatchTheSpec() throws {
        let text = try String(contentsOf: Self.specURL, encoding: .utf8)
        let spec = try #require(try Yams.load(yaml: text) as? [String: Any])
        let paths = try #require(spec["paths"] as? [String: [String: Any]])
        let components = try #require((spec["components"] as? [String: Any])?["parameters"] as? [String: [String: Any]])
        func documented(_ path: String, _ method: String = "get") throws -> Set<String> {
            let operation = try #require(paths[path]?[method] as? [String: Any], "\(method) \(path)")
            let parameters = (operation["parameters"] as? [[String: Any]] ?? []).compactMap { parameter -> [String: Any]? in
                guard let reference = parameter["$ref"] as? String else { return parameter }
                return components[String(reference.split(separator: "/").last!)]
            }
            return Set(parameters.filter { $0["in"] as? String == "query" }.compactMap { $0["name"] as? String })
        }
        let served: [(String, Set<String>)] = [
            ("/v1/messages", MessageQueryRoutes.parameters),
            ("/v1/status-events", StatusEventRoutes.parameters),
            ("/v1/replies", ReplyRoutes.parameters),
            ("/v1/review-events", ReviewEventRoutes.parameters),
            ("/v1/summary/daily", SummaryRoutes.parameters),
            ("/v1/provider-accounts/{account_id}/balances", BalanceRoutes.historyParameters),
            ("/v1/balances", []),
            ("/v1/recipients/{recipient_id}", []),
            ("/v1/replies/{reply_id}", []),
            ("/v1/messages/{message_id}", []),
            ("/v1/provider-accounts", QueryParameters.pagination),
            ("/admin/tenants", QueryParameters.pagination),
        ]
        for (path, parameters) in served {
            #expect(try documented(path) == parameters, "GET \(path)")
        }
    }

    /// Every operation that answers with a body shows an example of a request or a response.
    @Test func listsAndReadsHaveExamples() throws {
        let text = try String(contentsOf: Self.specURL, encoding: .utf8)
        let spec = try #require(try Yams.load(yaml: text) as? [String: Any])
        let paths = try #require(spec["paths"] as? [String: [String: Any]])
        for path in ["/v1/messages", "/v1/recipients/{recipient_id}", "/v1/replies", "/v1/balances", "/v1/review-events", "/v1/summary/daily"] {
            let operation = try #require(paths[path]?["get"] as? [String: Any])
            let ok = try #require((operation["responses"] as? [String: Any])?["200"] as? [String: Any])
            let json = (ok["content"] as? [String: Any])?["application/json"] as? [String: Any]
            #expect(json?["example"] != nil, "GET \(path) shows an example")
        }
    }
}
