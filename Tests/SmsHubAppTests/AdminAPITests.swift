import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Postgres
import TestSupport
import Testing

@Suite(.tags(.slow), .timeLimit(.minutes(10))) struct AdminAPITests {
    @Test func tenantLifecycle() async throws {
        try await withApp { app in
            let created = try await app.admin(.post, "/admin/tenants", json: #"{"name":"  Acme 短信  "}"#)
            #expect(created.status == .created)
            let id = try #require(created.json["id"] as? String)
            #expect(created.headers[.location] == "/admin/tenants/\(id)")
            #expect(created.json["name"] as? String == "Acme 短信")
            #expect(created.json["status"] as? String == "active")
            #expect(created.json["disabled_at"] == nil)

            let fetched = try await app.admin(.get, "/admin/tenants/\(id)")
            #expect(fetched.status == .ok)
            #expect(fetched.json["id"] as? String == id)

            let disabled = try await app.admin(.post, "/admin/tenants/\(id)/disable")
            #expect(disabled.status == .ok)
            #expect(disabled.json["status"] as? String == "disabled")
            #expect(disabled.json["disabled_at"] is String)
            let again = try await app.admin(.post, "/admin/tenants/\(id)/disable")
            #expect(again.json["disabled_at"] as? String == disabled.json["disabled_at"] as? String, "disabling twice keeps the first time")

            let enabled = try await app.admin(.post, "/admin/tenants/\(id)/enable")
            #expect(enabled.json["status"] as? String == "active")
            #expect(enabled.json["disabled_at"] == nil)

            expectProblem(try await app.admin(.get, "/admin/tenants/\(UUID().uuidString)"), .notFound, code: "not_found")
            expectProblem(try await app.admin(.post, "/admin/tenants/\(UUID().uuidString)/disable"), .notFound, code: "not_found")
            expectProblem(try await app.admin(.get, "/admin/tenants/not-a-uuid"), .badRequest, code: "invalid_parameter")
        }
    }

    @Test func listingPagesWithCursors() async throws {
        try await withApp { app in
            var ids: [String] = []
            for i in 0..<7 {
                let created = try await app.admin(.post, "/admin/tenants", json: #"{"name":"tenant \#(i)"}"#)
                ids.append(try #require(created.json["id"] as? String))
            }
            var seen: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let path = "/admin/tenants?limit=3" + (cursor.map { "&cursor=\($0)" } ?? "")
                let page = try await app.admin(.get, path)
                #expect(page.status == .ok)
                let items = try #require(page.json["items"] as? [[String: Any]])
                #expect(items.count <= 3)
                seen += items.compactMap { $0["id"] as? String }
                cursor = page.json["next_cursor"] as? String
                pages += 1
            } while cursor != nil && pages < 10
            #expect(pages == 3)
            #expect(seen == Array(ids.reversed()), "newest first, each exactly once")

            expectProblem(try await app.admin(.get, "/admin/tenants?limit=0"), .badRequest, code: "invalid_parameter")
            expectProblem(try await app.admin(.get, "/admin/tenants?limit=201"), .badRequest, code: "invalid_parameter")
            expectProblem(try await app.admin(.get, "/admin/tenants?limit=ten"), .badRequest, code: "invalid_parameter")
            let badCursor = try await app.admin(.get, "/admin/tenants?cursor=garbage")
            expectProblem(badCursor, .badRequest, code: "invalid_parameter")
            #expect((badCursor.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "cursor")
        }
    }

    @Test func apiKeysAreShownOnceAndStoredAsHashes() async throws {
        try await withApp { app in
            let (tenantID, key) = try await app.makeTenant()
            #expect(key.hasPrefix("smsh_"))
            let expectedLength = 57  // "smsh_" + 8 visible + "_" + 43 secret
            #expect(key.count == expectedLength)

            let list = try await app.admin(.get, "/admin/tenants/\(tenantID)/api-keys")
            #expect(list.status == .ok)
            let items = try #require(list.json["items"] as? [[String: Any]])
            #expect(items.count == 1)
            #expect(items[0]["key"] == nil)
            let prefix = try #require(items[0]["prefix"] as? String)
            #expect(key.hasPrefix(prefix))
            #expect(!list.text.contains(key))

            // Nothing in the database holds the key itself; the hash is SHA-256 of it.
            try await withPool(url: app.database.superuserURL) { pool in
                let row = try await pool.query("SELECT encode(key_hash, 'hex') AS h, row_to_json(api_keys)::text AS everything FROM api_keys").first!
                let everything: String = try row.decode("everything")
                #expect(!everything.contains(key))
                let hash: String = try row.decode("h")
                let expected = try await pool.query("SELECT encode(sha256(convert_to(\(key), 'UTF8')), 'hex') AS h").first!.decode(
                    "h",
                    as: String.self
                )
                #expect(hash == expected)
            }

            expectProblem(
                try await app.admin(.post, "/admin/tenants/\(UUID().uuidString)/api-keys", json: #"{"name":"x"}"#),
                .notFound,
                code: "not_found"
            )
            expectProblem(try await app.admin(.get, "/admin/tenants/\(UUID().uuidString)/api-keys"), .notFound, code: "not_found")
            #expect(try await app.count("api_keys") == 1)
        }
    }

    @Test func revokedKeyIsRefused() async throws {
        try await withApp { app in
            let (tenantID, key) = try await app.makeTenant()
            #expect(try await app.request(.get, "/v1/me", bearer: key).status == .ok)
            let keyID = try #require(
                (try await app.admin(.get, "/admin/tenants/\(tenantID)/api-keys")).json["items"].flatMap {
                    ($0 as? [[String: Any]])?.first?["id"] as? String
                }
            )

            let revoked = try await app.admin(.post, "/admin/tenants/\(tenantID)/api-keys/\(keyID)/revoke")
            #expect(revoked.status == .ok)
            #expect(revoked.json["revoked_at"] is String)
            let me = try await app.request(.get, "/v1/me", bearer: key)
            expectProblem(me, .unauthorized, code: "unauthorized")
            #expect(me.headers[.wwwAuthenticate] == "Bearer")
            #expect(!me.text.contains(key))

            // Another tenant cannot revoke (or even find) this tenant's key.
            let (otherID, _) = try await app.makeTenant("Other")
            expectProblem(try await app.admin(.post, "/admin/tenants/\(otherID)/api-keys/\(keyID)/revoke"), .notFound, code: "not_found")
        }
    }

    @Test func adminTokenIsRequired() async throws {
        try await withApp { app in
            expectProblem(try await app.request(.get, "/admin/tenants"), .unauthorized, code: "unauthorized")
            expectProblem(try await app.request(.get, "/admin/tenants", bearer: "wrong"), .unauthorized, code: "unauthorized")
            expectProblem(try await app.request(.get, "/admin/tenants", bearer: adminToken + "x"), .unauthorized, code: "unauthorized")
            let (_, key) = try await app.makeTenant()
            expectProblem(try await app.request(.get, "/admin/tenants", bearer: key), .unauthorized, code: "unauthorized")
            // The auth check runs before the body is read: nothing is created without the token.
            expectProblem(try await app.request(.post, "/admin/tenants", json: #"{"name":"Mallory"}"#), .unauthorized, code: "unauthorized")
            #expect(try await app.count("tenants") == 1)
        }
    }
}
