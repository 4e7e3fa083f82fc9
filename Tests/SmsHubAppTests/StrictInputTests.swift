import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// The parsing rules every route shares (docs/api.md, "Input rules and limits"): each refusal is a 400 problem
/// naming the member at fault, and stores nothing.
@Suite(.tags(.slow), .timeLimit(.minutes(10))) struct StrictInputTests {
    func fields(_ reply: AppHarness.Reply) -> [String] {
        (reply.json["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String } ?? []
    }

    @Test func callbacksRefuseNULRepeatsImpossibleDatesAndLongCodes() async throws {
        try await withApp { app in
            let engage = try await app.engageLab()
            let huawei = try await app.makeAccount("huawei")
            let gateway = try await app.makeAccount(
                "gateway",
                settings: ["base_url": "http://127.0.0.1:1", "account": "a"],
                credentials: ["api_password": "p"]
            )
            let submail = try await app.submail()
            let json = "application/json"
            let form = "application/x-www-form-urlencoded"
            let long = String(repeating: "x", count: 3000)
            let cases: [(String, String, String, HTTPFields, String)] = [
                // path, body, content type, headers, the field named
                (huawei.path("status"), "smsMsgId=a%00b&status=DELIVRD", form, [:], "smsMsgId"),
                (huawei.path("status"), "smsMsgId=a&status=DELIVRD&status=UNDELIV", form, [:], "status"),
                (huawei.path("status"), "smsMsgId=a&status=DELIVRD&updateTime=2018-02-30T06:31:46Z", form, [:], "updateTime"),
                (
                    huawei.path("status"), #"{"statusReportList":[{"smsMsgId":"a","status":"DELIVRD","statusDesc":"x\u0000"}]}"#, json, [:],
                    "statusReportList[0].statusDesc"
                ),
                (
                    gateway.path("status"), #"{"sendId":"t","mobile":"13512349831","status":"DELIVRD","times":"2019-02-30 10:00:00"}"#, json, [:],
                    "times"
                ),
                (gateway.path("status"), #"{"sendId":"t","sendId":"u","mobile":"13512349831","status":"DELIVRD"}"#, json, [:], "sendId"),
                (gateway.path("replies"), #"{"mobile":"13512349831","content":"\ud800"}"#, json, [:], "content"),
                (
                    engage.path("events"),
                    EngageLabSeeds.delivered.replacingOccurrences(of: #""server":"sms""#, with: #""server":"sms","server":"mms""#), json,
                    AppHarness.engageLabHeaders(), "server"
                ),
                (
                    engage.path("events"),
                    #"{"itime":1679392394061,"notification":{"event":"template_approval","notification_data":{"template_id":"1","approval_status":"\#(long)"}}}"#,
                    json, AppHarness.engageLabHeaders(), "notification.notification_data.approval_status"
                ),
                (
                    submail.path("events"),
                    "events=mo&events=request&address=13812345678&content=hi&timestamp=1415014855&token=\(SubmailSeeds.token)&signature=\(SubmailSeeds.signature)",
                    form, [:], "events"
                ),
                (
                    submail.path("events"),
                    "events=mo&address=13812345678&content=hi&timestamp=1415014855&token=\(SubmailSeeds.token)&signature=\(SubmailSeeds.signature)&signature=\(SubmailSeeds.signature)",
                    form, [:], "signature"
                ),
                (
                    submail.path("events"), #"{"events":"sms_signature","sms_signature":"【Acme】","status":"\#(long)",\#(SubmailSeeds.sign)}"#, json,
                    [:], "status"
                ),
            ]
            for (path, body, type, headers, field) in cases {
                let reply = try await app.post(path, body: body, contentType: type, headers: headers)
                expectProblem(reply, .badRequest, code: "invalid_body")
                #expect(self.fields(reply) == [field], "\(body.prefix(120)) → \(reply.text)")
            }
            // The same signature header twice is refused before it is checked.
            var twice = AppHarness.engageLabHeaders()
            twice.append(HTTPField(name: HTTPField.Name("X-SMSHook-Signature")!, value: twice[HTTPField.Name("X-SMSHook-Signature")!]!))
            let repeated = try await app.post(engage.path("events"), body: EngageLabSeeds.delivered, contentType: json, headers: twice)
            expectProblem(repeated, .badRequest, code: "invalid_body")
            #expect(try await app.callbackRows() == 0)
            // A field a provider repeats with the same value is one field.
            let same = try await app.post(huawei.path("status"), body: "smsMsgId=a&status=DELIVRD&status=DELIVRD", contentType: form)
            #expect(same.status == .ok, "\(same.text)")
            #expect(try await app.count("status_events") == 1)
        }
    }

    @Test func tenantAndAdminBodiesRefuseRepeatedKeysAndNUL() async throws {
        try await withApp { app in
            let (_, key) = try await app.makeTenant()
            for (body, field) in [
                (#"{"recipients":["13812345678"],"content":"a","content":"b"}"#, "content"),
                (#"{"recipients":["13812345678"],"content":"a\u0000b"}"#, "content"),
                (#"{"recipients":["13812345678"],"content":"a","custom":{"big":1e400,"note":"keep me"}}"#, "custom.big"),
                (#"{"recipients":["13812345678"],"content":"a","custom":{"list":[1,-0]}}"#, "custom.list[1]"),
                (#"{"recipients":["13812345678"],"content":"a","custom":{"n":{"x":1,"x":1}}}"#, "custom.n.x"),
            ] {
                let reply = try await app.request(.post, "/v1/messages", bearer: key, json: body)
                expectProblem(reply, .badRequest, code: "invalid_body")
                #expect(self.fields(reply) == [field], "\(body) → \(reply.text)")
            }
            let provider = try await app.request(.post, "/v1/provider-accounts", bearer: key, json: #"{"provider":"huawei","name":"a","name":"b"}"#)
            #expect(self.fields(provider) == ["name"])
            let nulSetting = try await app.request(
                .post,
                "/v1/provider-accounts",
                bearer: key,
                json: #"{"provider":"huawei","name":"a","settings":{"base_url":"http://x\u0000"}}"#
            )
            expectProblem(nulSetting, .badRequest, code: "invalid_body")
            #expect(self.fields(nulSetting) == ["settings.base_url"])
            #expect(try await app.count("provider_accounts") == 0)
            let admin = try await app.admin(.post, "/admin/tenants", json: #"{"name":"Acme","name":"Evil"}"#)
            expectProblem(admin, .badRequest, code: "invalid_body")
            #expect(self.fields(admin) == ["name"])
            #expect(try await app.count("messages") == 0)
        }
    }

    /// `custom` comes back as the same JSON value it was sent as, numbers written the same way.
    @Test func customIsReturnedExactlyAsSent() async throws {
        try await withApp { app in
            let (_, key) = try await app.makeTenant()
            let account = try await app.request(
                .post,
                "/v1/provider-accounts",
                bearer: key,
                json:
                    #"{"provider":"gateway","name":"gw","is_default":true,"settings":{"base_url":"http://127.0.0.1:1","account":"a"},"credentials":{"api_password":"p"}}"#
            )
            #expect(account.status == .created)
            let custom = #"{"big":123456789012345678901234567890.10,"list":[1.50,-2,0.001],"nested":{"s":"中\n"},"order":42}"#
            let sent = try await app.request(
                .post,
                "/v1/messages",
                bearer: key,
                json: #"{"recipients":["13812345678"],"content":"a","custom":\#(custom)}"#
            )
            #expect(sent.status == .accepted, "\(sent.text)")
            let id = try #require(sent.json["id"] as? String)
            let fetched = try await app.request(.get, "/v1/messages/\(id)", bearer: key)
            // Written as PostgreSQL writes jsonb (a space after ':' and ','), every number as it was sent.
            #expect(fetched.text.contains(#""big": 123456789012345678901234567890.10"#), "\(fetched.text)")
            #expect(fetched.text.contains(#""list": [1.50, -2, 0.001]"#), "\(fetched.text)")
        }
    }
}
