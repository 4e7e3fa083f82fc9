import Foundation
import HTTPTypes
import SmsHubDomain
import TestSupport
import Testing

/// `/v1/routes` and `/v1/templates` over HTTP and PostgreSQL: what they accept, what they refuse and
/// with which problem, and that one tenant never reaches another's accounts, routes or templates.
@Suite(.tags(.slow), .timeLimit(.minutes(5))) struct RouteAndTemplateAPITests {
    @Test func routesNameTheTenantsOwnAccountsInOrder() async throws {
        try await withApp { app in
            let submail = try await app.makeAccount("submail", settings: ["app_id": "1"], credentials: ["subhook_key": "k"])
            let tenant = (id: submail.tenantID.uuidString.lowercased(), key: submail.key)
            let huawei = try await app.makeAccount("huawei", tenant: tenant)
            let stranger = try await app.makeAccount("huawei")
            let s = submail.accountID.uuidString.lowercased()
            let h = huawei.accountID.uuidString.lowercased()
            let x = stranger.accountID.uuidString.lowercased()
            func create(_ json: String) async throws -> AppHarness.Reply {
                try await app.request(.post, "/v1/routes", bearer: submail.key, json: json)
            }
            let created = try await create(#"{"name":" main ","accounts":["\#(s)","\#(h)"],"is_default":true}"#)
            #expect(created.status == .created, "\(created.text)")
            #expect(created.json["name"] as? String == "main")
            #expect(created.json["accounts"] as? [String] == [s, h])
            let id = try #require(created.json["id"] as? String)
            #expect(created.headers[.location] == "/v1/routes/\(id)")

            for (json, field) in [
                (#"{"name":"r","accounts":[]}"#, "accounts"),
                (#"{"name":"r","accounts":["\#(s)","\#(s)"]}"#, "accounts[1]"),
                (#"{"name":"r","accounts":["\#(x)"]}"#, "accounts[0]"),
                (#"{"name":"","accounts":["\#(s)"]}"#, "name"),
            ] {
                let reply = try await create(json)
                expectProblem(reply, .unprocessableContent, code: "validation_failed")
                let fields = (reply.json["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String }
                #expect(fields == [field], "\(json)")
            }
            expectProblem(try await create(#"{"name":"r","accounts":["not-a-uuid"]}"#), .badRequest, code: "invalid_body")
            expectProblem(try await create(#"{"name":"main","accounts":["\#(h)"]}"#), .conflict, code: "name_taken")
            expectProblem(try await create(#"{"name":"other","accounts":["\#(h)"],"is_default":true}"#), .conflict, code: "default_taken")

            let list = try await app.request(.get, "/v1/routes", bearer: submail.key)
            #expect((list.json["items"] as? [[String: Any]])?.count == 1)
            expectProblem(try await app.request(.get, "/v1/routes/\(id)", bearer: stranger.key), .notFound, code: "not_found")
            expectProblem(try await app.request(.delete, "/v1/routes/\(id)", bearer: stranger.key), .notFound, code: "not_found")
            #expect(try await app.request(.delete, "/v1/routes/\(id)", bearer: submail.key).status == .noContent)
            expectProblem(try await app.request(.get, "/v1/routes/\(id)", bearer: submail.key), .notFound, code: "not_found")
        }
    }

    @Test func templatesAreCheckedAndMappedPerProvider() async throws {
        try await withApp { app in
            let huawei = try await app.makeAccount("huawei")
            let stranger = try await app.makeAccount("huawei")
            let (h, x) = (huawei.accountID.uuidString.lowercased(), stranger.accountID.uuidString.lowercased())
            func create(_ json: String) async throws -> AppHarness.Reply {
                try await app.request(.post, "/v1/templates", bearer: huawei.key, json: json)
            }
            let created = try await create(#"{"name":"code","category":"verification","body":"【A】验证码{{code}}，{{minutes}}分钟"}"#)
            #expect(created.status == .created, "\(created.text)")
            #expect(created.json["variables"] as? [String] == ["code", "minutes"])
            let id = try #require(created.json["id"] as? String)
            for (json, field) in [
                (#"{"name":"t","category":"spam","body":"x"}"#, "category"),
                (#"{"name":"t","category":"marketing","body":""}"#, "body"),
                (#"{"name":"t","category":"marketing","body":"\#(String(repeating: "x", count: 1001))"}"#, "body"),
                (#"{"name":"t","category":"marketing","body":"【A】周末特惠"}"#, "body"),
                (#"{"name":"t","category":"verification","body":"【A】验证码{{code}}，详见 https://a.example"}"#, "body"),
                (#"{"name":"t","category":"notification","body":"【A】订单已发货，拒收请回复R"}"#, "body"),
            ] {
                let reply = try await create(json)
                expectProblem(reply, .unprocessableContent, code: "validation_failed")
                let fields = (reply.json["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String }
                #expect(fields == [field], "\(json.prefix(80))")
            }
            expectProblem(try await create(#"{"name":"code","category":"marketing","body":"x 拒收请回复R"}"#), .conflict, code: "name_taken")

            func map(_ account: String, _ json: String, bearer: String? = nil) async throws -> AppHarness.Reply {
                try await app.request(.put, "/v1/templates/\(id)/mappings/\(account)", bearer: bearer ?? huawei.key, json: json)
            }
            let mapped = try await map(h, #"{"template_id":"t1","channel":"c1","parameters":["code","minutes"]}"#)
            #expect(mapped.status == .ok, "\(mapped.text)")
            let mappings = try #require(mapped.json["mappings"] as? [String: [String: Any]])
            #expect(mappings[h]?["parameters"] as? [String] == ["code", "minutes"])
            for (json, field) in [
                (#"{"template_id":"t1","channel":"c1","parameters":["nope"]}"#, "mapping.parameters"),
                (#"{"template_id":"t 1","channel":"c1"}"#, "mapping.template_id"),
                (#"{"template_id":"t1"}"#, "mapping.channel"),
                (#"{"template_id":"t1","channel":"c1","project":"p"}"#, "mapping.project"),
            ] {
                let reply = try await map(h, json)
                expectProblem(reply, .unprocessableContent, code: "validation_failed")
                let fields = (reply.json["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String }
                #expect(fields == [field], "\(json)")
            }
            expectProblem(try await map(x, #"{"template_id":"t1","channel":"c1"}"#), .notFound, code: "not_found")
            expectProblem(try await map(h, #"{"template_id":"t1","channel":"c1"}"#, bearer: stranger.key), .notFound, code: "not_found")
            expectProblem(try await map(h, "[1"), .badRequest, code: "invalid_body")

            #expect(try await app.request(.delete, "/v1/templates/\(id)/mappings/\(h)", bearer: huawei.key).status == .noContent)
            expectProblem(try await app.request(.delete, "/v1/templates/\(id)/mappings/\(h)", bearer: huawei.key), .notFound, code: "not_found")
            let list = try await app.request(.get, "/v1/templates", bearer: huawei.key)
            #expect((list.json["items"] as? [[String: Any]])?.count == 1)
            #expect((try await app.request(.get, "/v1/templates", bearer: stranger.key).json["items"] as? [Any])?.isEmpty == true)
            #expect(try await app.request(.delete, "/v1/templates/\(id)", bearer: huawei.key).status == .noContent)
            expectProblem(try await app.request(.get, "/v1/templates/\(id)", bearer: huawei.key), .notFound, code: "not_found")
        }
    }
}
