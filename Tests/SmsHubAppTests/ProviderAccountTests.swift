import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Postgres
import SmsHubDomain
import TestSupport
import Testing

@Suite(.tags(.slow), .timeLimit(.minutes(10))) struct ProviderAccountTests {
    static let engageLab =
        #"{"provider":"engagelab","name":"EL prod","settings":{"app_key":"a1b2c3d4e5f6a7b8c9d0e1f2"},"credentials":{"app_secret":"engagelab_demo_secret"}}"#

    @Test func createdAccountsShowCallbackURLsOnceAndNeverTheirSecrets() async throws {
        try await withApp { app in
            let (_, key) = try await app.makeTenant()
            let created = try await app.request(.post, "/v1/provider-accounts", bearer: key, json: Self.engageLab)
            #expect(created.status == .created)
            #expect(!created.text.contains("engagelab_demo_secret"))
            let account = try #require(created.json["account"] as? [String: Any])
            let id = try #require(account["id"] as? String)
            #expect(created.headers[.location] == "/v1/provider-accounts/\(id)")
            #expect(account["credentials_set"] as? [String] == ["app_secret"])
            #expect((account["settings"] as? [String: String])?["time_zone"] == "Asia/Shanghai")
            let urls = try #require(created.json["callback_urls"] as? [String: String])
            let events = try #require(urls["events"])
            #expect(events.hasPrefix("https://hub.example.test/callbacks/engagelab/"))
            let token = String(events.split(separator: "/").last!)
            #expect(CallbackToken.looksValid(token))

            let fetched = try await app.request(.get, "/v1/provider-accounts/\(id)", bearer: key)
            #expect(fetched.status == .ok)
            #expect(fetched.json["callback_urls"] == nil)
            #expect(!fetched.text.contains("engagelab_demo_secret"))
            #expect(!fetched.text.contains(token))

            // At rest: the secret is sealed, the token only hashed.
            try await withPool(url: app.database.superuserURL) { pool in
                let row = try await pool.query("SELECT row_to_json(provider_accounts)::text AS everything, secrets_key_id FROM provider_accounts")
                    .first!
                let everything: String = try row.decode("everything")
                #expect(!everything.contains("engagelab_demo_secret"))
                #expect(!everything.contains(token))
                #expect(try row.decode("secrets_key_id", as: String.self) == "test1")
            }
        }
    }

    @Test func everyProviderValidatesItsFields() async throws {
        try await withApp { app in
            let (_, key) = try await app.makeTenant()
            let valid = [
                #"{"provider":"gateway","name":"gw","settings":{"base_url":"https://gw.example.com","account":"acme"},"credentials":{"api_password":"123456"}}"#,
                #"{"provider":"gateway","name":"gw5","settings":{"base_url":"https://gw.example.com","account":"acme","validity_seconds":"5"},"credentials":{"api_password":"1"}}"#,
                #"{"provider":"gateway","name":"gw7","settings":{"base_url":"https://gw.example.com","account":"acme","validity_seconds":"604800"},"credentials":{"api_password":"1"}}"#,
                #"{"provider":"submail","name":"sm","settings":{"app_id":"12345"},"credentials":{"subhook_key":"my_subhook_key"}}"#,
                #"{"provider":"huawei","name":"hw"}"#,
                #"{"provider":"huawei","name":"hw2","settings":{"time_zone":"UTC"},"credentials":{"app_secret":"q4Ii87Bh"}}"#,
            ]
            for body in valid {
                let reply = try await app.request(.post, "/v1/provider-accounts", bearer: key, json: body)
                #expect(reply.status == .created, "\(body): \(reply.text)")
            }
            var invalid: [(String, String)] = [
                (#"{"provider":"twilio","name":"x"}"#, "provider"),
                (#"{"provider":"gateway","name":"gw","settings":{"account":"a"},"credentials":{"api_password":"p"}}"#, "settings.base_url"),
                (
                    #"{"provider":"gateway","name":"gw","settings":{"base_url":"ftp://x","account":"a"},"credentials":{"api_password":"p"}}"#,
                    "settings.base_url"
                ),
                (#"{"provider":"gateway","name":"gw","settings":{"base_url":"https://x","account":"a"}}"#, "credentials.api_password"),
                (
                    #"{"provider":"engagelab","name":"el","settings":{"app_key":"k"},"credentials":{"app_secret":"s","extra":"x"}}"#,
                    "credentials.extra"
                ),
                (
                    #"{"provider":"submail","name":"sm","settings":{"app_id":"1","time_zone":"Mars/Olympus"},"credentials":{"subhook_key":"k"}}"#,
                    "settings.time_zone"
                ),
                (#"{"provider":"huawei","name":""}"#, "name"),
                // Validity windows are settings of the accounts that send, whole seconds from 5 s to 7 days.
                (#"{"provider":"huawei","name":"hw","settings":{"validity_seconds":"4"}}"#, "settings.validity_seconds"),
            ]
            for window in ["4", "604801", "", "1e3", "-5", " 60", "99999999999999999999999", "٦٠"] {
                invalid.append(
                    (
                        #"{"provider":"gateway","name":"gw","settings":{"base_url":"https://x","account":"a","validity_seconds":"\#(window)"},"credentials":{"api_password":"p"}}"#,
                        "settings.validity_seconds"
                    )
                )
            }
            for (body, field) in invalid {
                let reply = try await app.request(.post, "/v1/provider-accounts", bearer: key, json: body)
                expectProblem(reply, .unprocessableContent, code: "validation_failed")
                let fields = (reply.json["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String } ?? []
                #expect(fields.contains(field), "\(body) → \(fields)")
            }
            expectProblem(
                try await app.request(.post, "/v1/provider-accounts", bearer: key, json: #"{"provider":"huawei"}"#),
                .badRequest,
                code: "invalid_body"
            )
            expectProblem(
                try await app.request(.post, "/v1/provider-accounts", bearer: key, json: #"{"provider":"huawei","name":"x","settings":{"a":1}}"#),
                .badRequest,
                code: "invalid_body"
            )
            #expect(try await app.count("provider_accounts") == valid.count)
        }
    }

    @Test func updatesMergeRotateSecretsAndRevalidate() async throws {
        try await withApp { app in
            let (tenantID, key) = try await app.makeTenant()
            let created = try await app.request(.post, "/v1/provider-accounts", bearer: key, json: Self.engageLab)
            let id = try #require((created.json["account"] as? [String: Any])?["id"] as? String)
            let before = try await self.sealed(app, id)

            let renamed = try await app.request(
                .patch,
                "/v1/provider-accounts/\(id)",
                bearer: key,
                json: #"{"name":"renamed","credentials":{"app_secret":"rotated-secret"}}"#
            )
            #expect(renamed.status == .ok, "\(renamed.text)")
            #expect(renamed.json["name"] as? String == "renamed")
            #expect(!renamed.text.contains("rotated-secret"))
            let after = try await self.sealed(app, id)
            #expect(after != before, "rotating a secret re-seals it")
            let opened = try testKeyring.open(
                after,
                keyID: "test1",
                context: SecretKeyring.context(tenantID: UUID(uuidString: tenantID)!, accountID: UUID(uuidString: id)!)
            )
            #expect(opened["app_secret"] == "rotated-secret")

            // Removing a required credential is refused and changes nothing.
            let removed = try await app.request(.patch, "/v1/provider-accounts/\(id)", bearer: key, json: #"{"credentials":{"app_secret":null}}"#)
            expectProblem(removed, .unprocessableContent, code: "validation_failed")
            #expect(try await self.sealed(app, id) == after)

            let disabled = try await app.request(.post, "/v1/provider-accounts/\(id)/disable", bearer: key)
            #expect(disabled.json["status"] as? String == "disabled")
            let enabled = try await app.request(.post, "/v1/provider-accounts/\(id)/enable", bearer: key)
            #expect(enabled.json["status"] as? String == "active")
        }
    }

    @Test func onlyOneDefaultPerProvider() async throws {
        try await withApp { app in
            let (_, key) = try await app.makeTenant()
            let body = #"{"provider":"huawei","name":"a","is_default":true}"#
            #expect(try await app.request(.post, "/v1/provider-accounts", bearer: key, json: body).status == .created)
            expectProblem(try await app.request(.post, "/v1/provider-accounts", bearer: key, json: body), .conflict, code: "conflict")
            #expect(try await app.request(.post, "/v1/provider-accounts", bearer: key, json: #"{"provider":"huawei","name":"b"}"#).status == .created)
        }
    }

    @Test func tenantsCannotSeeOrNameEachOthersAccounts() async throws {
        try await withApp { app in
            let (_, keyA) = try await app.makeTenant("A")
            let (_, keyB) = try await app.makeTenant("B")
            let created = try await app.request(.post, "/v1/provider-accounts", bearer: keyA, json: Self.engageLab)
            let id = try #require((created.json["account"] as? [String: Any])?["id"] as? String)

            let listB = try await app.request(.get, "/v1/provider-accounts", bearer: keyB)
            #expect((listB.json["items"] as? [Any])?.isEmpty == true)
            let missing = try await app.request(.get, "/v1/provider-accounts/\(UUID().uuidString.lowercased())", bearer: keyB)
            let foreign = try await app.request(.get, "/v1/provider-accounts/\(id)", bearer: keyB)
            expectProblem(foreign, .notFound, code: "not_found")
            #expect(foreign.json["detail"] as? String == missing.json["detail"] as? String, "another tenant's id looks exactly like a missing one")
            for path in ["/disable", "/enable", "/callback-token/rotate"] {
                expectProblem(try await app.request(.post, "/v1/provider-accounts/\(id)\(path)", bearer: keyB), .notFound, code: "not_found")
            }
            expectProblem(
                try await app.request(.patch, "/v1/provider-accounts/\(id)", bearer: keyB, json: #"{"name":"hijacked"}"#),
                .notFound,
                code: "not_found"
            )
            let stillA = try await app.request(.get, "/v1/provider-accounts/\(id)", bearer: keyA)
            #expect(stillA.json["name"] as? String == "EL prod")
            #expect(stillA.json["status"] as? String == "active")
        }
    }

    @Test func listingPages() async throws {
        try await withApp { app in
            let (_, key) = try await app.makeTenant()
            for i in 0..<5 {
                _ = try await app.request(.post, "/v1/provider-accounts", bearer: key, json: #"{"provider":"huawei","name":"hw \#(i)"}"#)
            }
            let first = try await app.request(.get, "/v1/provider-accounts?limit=3", bearer: key)
            #expect((first.json["items"] as? [Any])?.count == 3)
            let cursor = try #require(first.json["next_cursor"] as? String)
            let second = try await app.request(.get, "/v1/provider-accounts?limit=3&cursor=\(cursor)", bearer: key)
            #expect((second.json["items"] as? [Any])?.count == 2)
            #expect(second.json["next_cursor"] == nil)
        }
    }

    func sealed(_ app: AppHarness, _ id: String) async throws -> [UInt8] {
        try await withPool(url: app.database.superuserURL) { pool in
            try await pool.query("SELECT secrets FROM provider_accounts WHERE id = \(UUID(uuidString: id)!)").first!.decode(
                "secrets",
                as: PGBytes.self
            ).bytes
        }
    }
}
