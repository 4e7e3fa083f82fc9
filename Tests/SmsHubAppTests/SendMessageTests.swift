import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

@Suite(.tags(.slow), .timeLimit(.minutes(10))) struct SendMessageTests {
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!

    func gatewayAccount(_ app: AppHarness, isDefault: Bool = true) async throws -> CallbackAccount {
        let (tenantID, key) = try await app.makeTenant()
        let body =
            #"{"provider":"gateway","name":"gw","is_default":\#(isDefault),"settings":{"base_url":"http://127.0.0.1:1","account":"acme"},"credentials":{"api_password":"123456"}}"#
        let created = try await app.request(.post, "/v1/provider-accounts", bearer: key, json: body)
        #expect(created.status == .created)
        let account = try #require(created.json["account"] as? [String: Any])
        return CallbackAccount(tenantID: UUID(uuidString: tenantID)!, key: key, accountID: UUID(uuidString: account["id"] as! String)!, urls: [:])
    }

    func send(_ app: AppHarness, _ account: CallbackAccount, _ json: String, key: String? = nil) async throws -> AppHarness.Reply {
        var headers: HTTPFields = [.authorization: "Bearer \(account.key)", .contentType: "application/json"]
        if let key { headers[Self.idempotencyKey] = key }
        let response = try await app.client.execute(uri: "/v1/messages", method: .post, headers: headers, body: .init(string: json))
        return AppHarness.Reply(status: response.status, headers: response.headers, body: response.body)
    }

    @Test func acceptedMessagesAreQueuedWithNormalisedDistinctRecipients() async throws {
        try await withApp { app in
            let account = try await self.gatewayAccount(app)
            let reply = try await self.send(
                app,
                account,
                #"{"recipients":["13812345678","+8613812345678","008613912345678"," 13700000000 "],"content":"【Acme】Your code is 1234","ext_no":"10","client_reference":"order-42","custom":{"orderId":42,"tags":["a"]}}"#
            )
            #expect(reply.status == .accepted, "\(reply.text)")
            let json = reply.json
            let id = try #require(json["id"] as? String)
            #expect(reply.headers[.location] == "/v1/messages/\(id)")
            #expect(json["provider_account_id"] as? String == account.accountID.uuidString.lowercased())
            let recipients = try #require(json["recipients"] as? [[String: Any]])
            #expect(recipients.map { $0["number_e164"] as? String } == ["+8613812345678", "+8613912345678", "+8613700000000"])
            #expect(recipients.allSatisfy { $0["status"] as? String == "queued" })
            #expect(json["duplicates_removed"] as? [String] == ["+8613812345678"])
            #expect((json["custom"] as? [String: Any])?["orderId"] as? Int == 42, "custom keys come back exactly as sent")
            #expect(json["ext_no"] as? String == "10")

            let fetched = try await app.request(.get, "/v1/messages/\(id)", bearer: account.key)
            #expect(fetched.status == .ok)
            let listed = (fetched.json["recipients"] as? [[String: Any]])?.compactMap { $0["number_e164"] as? String }
            #expect(listed == ["+8613812345678", "+8613912345678", "+8613700000000"], "in the order the request gave them")
            #expect(fetched.json["content"] as? String == "【Acme】Your code is 1234")
            #expect(fetched.json["duplicates_removed"] == nil)
            let stranger = try await self.gatewayAccount(app)
            let foreign = try await app.request(.get, "/v1/messages/\(id)", bearer: stranger.key)
            let missing = try await app.request(.get, "/v1/messages/\(UUID().uuidString.lowercased())", bearer: stranger.key)
            expectProblem(foreign, .notFound, code: "not_found")
            #expect(foreign.json["detail"] as? String == missing.json["detail"] as? String)
            expectProblem(try await app.request(.get, "/v1/messages/nope", bearer: account.key), .badRequest, code: "invalid_parameter")

            let stored = try await app.rows("SELECT number_raw, number_e164, status FROM message_recipients ORDER BY number_e164")
            #expect(stored.count == 3)
            #expect(stored.allSatisfy { $0["status"] == "queued" })
            let message = try await app.rows("SELECT content, client_reference, custom::text AS custom FROM messages")[0]
            #expect(message["content"] == "【Acme】Your code is 1234")
            #expect(message["custom"]??.contains("orderId") == true)
        }
    }

    @Test func idempotencyKeysReplayOrConflict() async throws {
        try await withApp { app in
            let account = try await self.gatewayAccount(app)
            let body = #"{"recipients":["13812345678"],"content":"【Acme】hello"}"#
            let first = try await self.send(app, account, body, key: "order-42-attempt")
            #expect(first.status == .accepted)
            let again = try await self.send(app, account, body, key: "order-42-attempt")
            #expect(again.status == .accepted)
            #expect(again.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            #expect(again.json["id"] as? String == first.json["id"] as? String)
            #expect(
                (again.json["recipients"] as? [[String: Any]])?.first?["id"] as? String == (first.json["recipients"] as? [[String: Any]])?.first?[
                    "id"
                ] as? String
            )

            let different = try await self.send(app, account, #"{"recipients":["13812345678"],"content":"【Acme】bye"}"#, key: "order-42-attempt")
            expectProblem(different, .conflict, code: "idempotency_conflict")
            #expect(try await app.count("messages") == 1)
            #expect(try await app.count("message_recipients") == 1)

            // Concurrent retries with one key store one message.
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<6 {
                    group.addTask { try await self.send(app, account, #"{"recipients":["13900000000"],"content":"x"}"#, key: "race").status }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == .accepted })
            #expect(try await app.count("messages") == 2)
            // Keys are per tenant: another tenant may use the same key.
            let other = try await self.gatewayAccount(app)
            #expect(try await self.send(app, other, body, key: "order-42-attempt").status == .accepted)
        }
    }

    @Test func invalidRequestsAre4xxAndStoreNothing() async throws {
        try await withApp { app in
            let account = try await self.gatewayAccount(app)
            let cases: [(String, HTTPResponse.Status, String, String?)] = [
                (#"{"recipients":[],"content":"x"}"#, .unprocessableContent, "validation_failed", "recipients"),
                (#"{"recipients":["13812345678"],"content":"   "}"#, .unprocessableContent, "validation_failed", "content"),
                (
                    #"{"recipients":["13812345678"],"content":"\#(String(repeating: "字", count: 501))"}"#, .unprocessableContent, "validation_failed",
                    "content"
                ),
                (#"{"recipients":["13812345678","not-a-number"],"content":"x"}"#, .unprocessableContent, "validation_failed", "recipients[1]"),
                (
                    #"{"recipients":["\#(String(repeating: "1", count: 10_000))"],"content":"x"}"#, .unprocessableContent, "validation_failed",
                    "recipients[0]"
                ),
                (#"{"recipients":["13812345678"],"content":"x","ext_no":"-3"}"#, .unprocessableContent, "validation_failed", "ext_no"),
                (#"{"recipients":["13812345678"],"content":"x","custom":[1]}"#, .unprocessableContent, "validation_failed", "custom"),
                (
                    #"{"recipients":["13812345678"],"content":"x","provider_account_id":"\#(UUID().uuidString)"}"#, .unprocessableContent,
                    "validation_failed", "provider_account_id"
                ),
                (#"{"recipients":["13812345678"],"content":"x","provider_account_id":"nope"}"#, .badRequest, "invalid_body", nil),
                (#"{"recipients":"13812345678","content":"x"}"#, .badRequest, "invalid_body", nil),
                (#"{"content":"x"}"#, .badRequest, "invalid_body", nil),
                (#"{"recipients":["13812345678"],"content":"x""#, .badRequest, "invalid_body", nil),
            ]
            for (body, status, code, field) in cases {
                let reply = try await self.send(app, account, body)
                expectProblem(reply, status, code: code)
                if let field {
                    let fields = (reply.json["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String } ?? []
                    #expect(fields.contains(field), "\(body.prefix(60)) → \(fields)")
                }
            }
            let tooMany = "[" + (0..<10_001).map { "\"1380000\(String(format: "%04d", $0 % 10_000))\"" }.joined(separator: ",") + "]"
            expectProblem(
                try await self.send(app, account, #"{"recipients":\#(tooMany),"content":"x"}"#),
                .unprocessableContent,
                code: "validation_failed"
            )
            expectProblem(
                try await self.send(app, account, #"{"recipients":["1"],"content":"\#(String(repeating: "x", count: 1_100_000))"}"#),
                .contentTooLarge,
                code: "payload_too_large"
            )
            expectProblem(
                try await app.request(.post, "/v1/messages", bearer: account.key, json: "{}", contentType: "text/plain"),
                .unsupportedMediaType,
                code: "unsupported_media_type"
            )
            #expect(try await app.count("messages") == 0)
            #expect(try await app.count("message_recipients") == 0)
        }
    }

    @Test func accountChoiceFollowsTheRules() async throws {
        try await withApp { app in
            // No default gateway account.
            let noDefault = try await self.gatewayAccount(app, isDefault: false)
            expectProblem(
                try await self.send(app, noDefault, #"{"recipients":["13812345678"],"content":"x"}"#),
                .unprocessableContent,
                code: "validation_failed"
            )
            // Naming it explicitly works.
            #expect(
                try await self.send(
                    app,
                    noDefault,
                    #"{"recipients":["13812345678"],"content":"x","provider_account_id":"\#(noDefault.accountID.uuidString)"}"#
                ).status == .accepted
            )
            // Not a gateway account, or disabled.
            let huawei = try await app.makeAccount("huawei", tenant: (noDefault.tenantID.uuidString.lowercased(), noDefault.key))
            expectProblem(
                try await self.send(
                    app,
                    noDefault,
                    #"{"recipients":["13812345678"],"content":"x","provider_account_id":"\#(huawei.accountID.uuidString)"}"#
                ),
                .unprocessableContent,
                code: "validation_failed"
            )
            _ = try await app.request(.post, "/v1/provider-accounts/\(noDefault.accountID.uuidString.lowercased())/disable", bearer: noDefault.key)
            expectProblem(
                try await self.send(
                    app,
                    noDefault,
                    #"{"recipients":["13812345678"],"content":"x","provider_account_id":"\#(noDefault.accountID.uuidString)"}"#
                ),
                .unprocessableContent,
                code: "validation_failed"
            )
            // Another tenant's account cannot be named.
            let other = try await self.gatewayAccount(app)
            expectProblem(
                try await self.send(
                    app,
                    noDefault,
                    #"{"recipients":["13812345678"],"content":"x","provider_account_id":"\#(other.accountID.uuidString)"}"#
                ),
                .unprocessableContent,
                code: "validation_failed"
            )
            #expect(try await app.count("messages") == 1)
        }
    }
}
