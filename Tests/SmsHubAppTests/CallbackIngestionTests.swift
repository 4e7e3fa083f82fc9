import Cryptography
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Postgres
import SmsHubDomain
import SmsHubRepository
import TestSupport
import Testing

/// Every seed sample of every provider, posted to its real endpoint, then read back from the database.
@Suite(.tags(.slow), .timeLimit(.minutes(10))) struct CallbackIngestionTests {
    @Test func engageLabSeedsAreStoredNormalised() async throws {
        try await withApp { app in
            let account = try await app.engageLab()
            let recipients = try await app.seedRecipients(
                account,
                [
                    ("+8618871186627", "+8618871186627", "1679392394031_15_17153_881599_c1fjwa$+8618871186627"),
                    ("008615727024341", "+8615727024341", "1679392394031_15_17153_881599_c1fjwa$008615727024341"),
                ]
            )
            for body in [
                EngageLabSeeds.target, EngageLabSeeds.sent, EngageLabSeeds.delivered, EngageLabSeeds.failed, EngageLabSeeds.reply,
                EngageLabSeeds.templateApproval,
            ] {
                let reply = try await app.postEngageLab(account, body)
                #expect(reply.status == .ok, "\(reply.text)")
                #expect(reply.body.readableBytes == 0)
            }
            let events = try await app.rows(
                "SELECT provider_message_id, number_raw, number_e164, state, provider_code, description, segments FROM status_events ORDER BY received_at, provider_message_id, state"
            )
            // target and sent for two recipients, delivered for a third (unknown to the hub), failed for the first.
            #expect(events.count == 6)
            let delivered = try #require(events.first { $0["state"] == "delivered" })
            #expect(delivered["number_e164"] == "+115927992951")
            #expect(delivered["segments"] == "1")
            let failed = try #require(events.first { $0["state"] == "failed" })
            #expect(failed["provider_code"] == "480")
            #expect(failed["description"] == "发送類型不支持")
            #expect(events.filter { $0["state"] == "submitted" }.map { $0["number_e164"] } == ["+8618871186627", "+8615727024341"])

            // The first recipient failed (4xx: refused by the platform); the second reached "sent".
            #expect(try await app.recipientStatus(recipients[0]).status == "failed")
            #expect(try await app.recipientStatus(recipients[1]).status == "sent")

            let replies = try await app.rows("SELECT number_raw, number_e164, content, replied_at FROM replies")
            #expect(replies.count == 1)
            #expect(replies[0]["number_e164"] == "+8617858502021")
            #expect(replies[0]["content"] == "T")
            #expect(replies[0]["replied_at"]??.hasPrefix("2023-03-21 02:07:17") == true, "10:07:17 Asia/Shanghai is 02:07:17 UTC")
            let reviews = try await app.rows("SELECT kind, subject, result, reason FROM review_events")
            #expect(reviews.count == 1)
            #expect(reviews[0]["kind"] == "template")
            #expect(reviews[0]["subject"] == "905354")
            #expect(reviews[0]["result"] == "approved")
            #expect(reviews[0]["reason"] == "pass")
        }
    }

    @Test func engageLabURLCheckIsAcknowledgedAndStoresNothing() async throws {
        try await withApp { app in
            let account = try await app.engageLab()
            #expect(try await app.post(account.path("events"), body: "{}", contentType: "application/json").status == .ok)
            #expect(try await app.postEngageLab(account, "{}").status == .ok)
            #expect(try await app.count("status_events") + app.count("callback_receipts") == 0)
        }
    }

    @Test func engageLabSignaturesAreChecked() async throws {
        try await withApp { app in
            let account = try await app.engageLab()
            // providers.md §2.1 worked example.
            let example = AppHarness.engageLabHeaders(timestamp: "1679392394061")
            #expect(example[HTTPField.Name("X-SMSHook-Signature")!] == "a77fa528e2deec7ec04d4a55061623ce")
            let now = String(Int64(Date().timeIntervalSince1970 * 1000))
            let signature = try #require(AppHarness.engageLabHeaders(timestamp: now)[HTTPField.Name("X-SMSHook-Signature")!])
            let upper = AppHarness.engageLabHeaders(timestamp: now, signature: signature.uppercased())
            #expect(try await app.postEngageLab(account, EngageLabSeeds.delivered, headers: upper).status == .ok, "hex case does not matter")

            var missing = AppHarness.engageLabHeaders()
            missing[HTTPField.Name("X-SMSHook-Signature")!] = nil
            let cases: [HTTPFields] = [
                AppHarness.engageLabHeaders(signature: "a77fa528e2deec7ec04d4a55061623cf"),
                AppHarness.engageLabHeaders(secret: "wrong_secret"),
                AppHarness.engageLabHeaders(timestamp: "1679392394062", signature: "a77fa528e2deec7ec04d4a55061623ce"),
                AppHarness.engageLabHeaders(appKey: "another-app-key"),
                missing,
            ]
            for headers in cases {
                let reply = try await app.postEngageLab(account, EngageLabSeeds.failed, headers: headers)
                expectProblem(reply, .unauthorized, code: "invalid_signature")
                #expect(!reply.text.contains("engagelab_demo_secret"))
            }
            #expect(try await app.count("status_events") == 1)
            let audit = try await app.rows("SELECT provider, outcome, reason, raw FROM callback_receipts")
            #expect(audit.count == cases.count)
            #expect(audit.allSatisfy { $0["outcome"] == "rejected" && $0["raw"]! == nil && !($0["reason"]!!.contains("engagelab_demo_secret")) })
        }
    }

    @Test func submailSeedsInEveryEncoding() async throws {
        try await withApp { app in
            let account = try await app.submail()
            let recipient = try await app.seedRecipients(account, [("13812345678", "+8613812345678", "093c0a7df143c087d6cba9cdf0cf3738")])[0]
            // JSON
            for body in [SubmailSeeds.request, SubmailSeeds.sending, SubmailSeeds.templateAccept] {
                #expect(try await app.post(account.path("events"), body: body, contentType: "application/json").status == .ok)
            }
            // Form
            for body in [SubmailSeeds.delivered, SubmailSeeds.templateReject] {
                #expect(
                    try await app.post(account.path("events"), body: Self.form(body), contentType: "application/x-www-form-urlencoded").status == .ok
                )
            }
            // Multipart
            for body in [SubmailSeeds.mo, SubmailSeeds.smsSignature] {
                let (text, boundary) = Self.multipart(body)
                #expect(
                    try await app.post(account.path("events"), body: text, contentType: "multipart/form-data; boundary=\(boundary)").status == .ok
                )
            }
            // Query string (GET), including SUBMAIL's own misspelling.
            for body in [SubmailSeeds.dropped, SubmailSeeds.unkown] {
                let reply = try await app.client.execute(uri: account.path("events") + "?" + Self.form(body), method: .get)
                #expect(reply.status == .ok, "\(String(buffer: reply.body))")
            }
            let states = try await app.rows("SELECT state, provider_code, description FROM status_events ORDER BY received_at")
            #expect(states.map { $0["state"]! } == ["submitted", "sent", "delivered", "undelivered", "unknown"])
            #expect(states[2]["description"] == "中國移動 上海 上海")
            #expect(states[3]["provider_code"] == "UNDELIV", "report is kept trimmed")
            #expect(states[3]["description"] == "網關黑名單")
            #expect(try await app.recipientStatus(recipient).status == "delivered", "the first terminal state stays")

            let replies = try await app.rows("SELECT content, recipient_id, provider_message_id FROM replies")
            #expect(replies.count == 1)
            #expect(replies[0]["content"] == "好的")
            #expect(replies[0]["recipient_id"] == recipient.uuidString.lowercased())
            let reviews = try await app.rows("SELECT kind, subject, result, reason FROM review_events ORDER BY received_at")
            #expect(reviews.map { $0["result"]! } == ["approved", "rejected", "rejected"])
            #expect(reviews[2]["kind"] == "signature")
            #expect(reviews[2]["subject"] == "【SUBMAIL】")
            #expect(reviews[1]["reason"] == "簽名不正確")
        }
    }

    @Test func submailSignaturesAreChecked() async throws {
        try await withApp { app in
            let account = try await app.submail()
            let bad = SubmailSeeds.seedRequest.replacingOccurrences(of: SubmailSeeds.signature, with: "00000000000000000000000000000000")
            let upper = SubmailSeeds.seedRequest.replacingOccurrences(of: SubmailSeeds.signature, with: SubmailSeeds.signature.uppercased())
            let unsigned = #"{"events":"request","address":"13812345678","send_id":"x","token":"067ef7e2f286a9a56eabb07dc9657852"}"#
            expectProblem(
                try await app.post(account.path("events"), body: bad, contentType: "application/json"),
                .unauthorized,
                code: "invalid_signature"
            )
            expectProblem(
                try await app.post(account.path("events"), body: unsigned, contentType: "application/json"),
                .unauthorized,
                code: "invalid_signature"
            )
            #expect(try await app.post(account.path("events"), body: upper, contentType: "application/json").status == .ok)
            #expect(try await app.count("status_events") == 1)
            #expect(try await app.count("callback_receipts") == 2)
        }
    }

    @Test func huaweiSingleBatchLongMessagesAndReplies() async throws {
        try await withApp { app in
            let account = try await app.makeAccount("huawei")
            let recipients = try await app.seedRecipients(
                account,
                [
                    ("+8613800000001", "+8613800000001", "b9d9b4fe-1234_6"),
                    ("+8613800000002", "+8613800000002", "long-1"),
                ]
            )
            // The seed's sample body.
            let seed = "sequence=1&total=1&orgCode=000&updateTime=2018-04-13T06%3A31%3A46Z&source=2&smsMsgId=b9d9b4fe-1234_6&status=DELIVRD"
            #expect(try await app.post(account.path("status"), body: seed, contentType: "application/x-www-form-urlencoded").status == .ok)
            #expect(try await app.recipientStatus(recipients[0]).status == "delivered")
            let stored = try await app.rows("SELECT occurred_at, provider_code, description, raw->>'orgCode' AS org FROM status_events")[0]
            #expect(stored["occurred_at"]??.hasPrefix("2018-04-13 06:31:46") == true)
            #expect(stored["description"] == "Delivered to the handset.")
            #expect(stored["org"] == "000", "unknown fields stay in the raw payload")

            // A three-part message: delivered only when every part is.
            let part = { (n: Int) in
                #"{"smsMsgId":"long-1","total":"3","sequence":"\#(n)","status":"DELIVRD","updateTime":"2018-04-13T06:31:4\#(n)Z"}"#
            }
            let batch = #"{"statusReportList":[\#(part(1)),\#(part(2))]}"#
            #expect(try await app.post(account.path("status"), body: batch, contentType: "application/json").status == .ok)
            #expect(try await app.recipientStatus(recipients[1]).status == "sent")
            #expect(
                try await app.post(account.path("status"), body: #"{"statusReportList":[\#(part(3))]}"#, contentType: "application/json").status
                    == .ok
            )
            #expect(try await app.recipientStatus(recipients[1]).status == "delivered")

            let reply = "smsMsgId=reply-1&from=%2B8613800000001&to=10690000&body=%E5%A5%BD&createTime=2018-04-13T07%3A00%3A00Z"
            #expect(try await app.post(account.path("replies"), body: reply, contentType: "application/x-www-form-urlencoded").status == .ok)
            let replies = try await app.rows("SELECT number_e164, content FROM replies")
            #expect(replies.first?["content"] == "好")

            // Error codes from the seed table.
            for (code, state) in [
                ("E200027", "failed"), ("MK:0001", "undelivered"), ("EXPIRED", "expired"), ("SC:0016", "failed"), ("ZZ:9999", "undelivered"),
            ] {
                let id = "code-\(code)"
                let recipient = try await app.seedRecipients(account, [("+8613800000009", "+8613800000009", id)])[0]
                #expect(
                    try await app.post(
                        account.path("status"),
                        body: "smsMsgId=\(id)&status=\(code)",
                        contentType: "application/x-www-form-urlencoded"
                    ).status == .ok
                )
                #expect(try await app.recipientStatus(recipient).status == state, "\(code)")
            }
        }
    }

    @Test func gatewayPushesJSONAndForm() async throws {
        try await withApp { app in
            let account = try await app.makeAccount(
                "gateway",
                settings: ["base_url": "http://127.0.0.1:1", "account": "acme"],
                credentials: ["api_password": "123456"]
            )
            let recipients = try await app.seedRecipients(
                account,
                [
                    ("13512349831", "+8613512349831", "task-1"),
                    ("13600000014", "+8613600000014", "task-1"),
                ]
            )
            let status = #"{"sendId":"task-1","mobile":"13512349831","times":"2019-04-12 17:57:08","status":"DELIVRD"}"#
            #expect(try await app.post(account.path("status"), body: status, contentType: "application/json").status == .ok)
            let form = "sendId=task-1&mobile=13600000014&times=2019-04-12+17%3A57%3A08&status=MBBLACK"
            #expect(try await app.post(account.path("status"), body: form, contentType: "application/x-www-form-urlencoded").status == .ok)
            #expect(try await app.recipientStatus(recipients[0]).status == "delivered")
            let blocked = try await app.recipientStatus(recipients[1])
            #expect(blocked.status == "failed")
            #expect(blocked.code == "MBBLACK")

            let reply = #"{"mobile":"13512349831","content":"端午节快乐","times":"2019-04-12 17:57:08","extNo":"10"}"#
            #expect(try await app.post(account.path("replies"), body: reply, contentType: "application/json").status == .ok)
            let stored = try await app.rows("SELECT recipient_id, content, ext_no, replied_at FROM replies")
            #expect(stored.first?["content"] == "端午节快乐")
            #expect(stored.first?["replied_at"]??.hasPrefix("2019-04-12 09:57:08") == true)
        }
    }

    static func form(_ json: String) -> String {
        let object = try! JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return object.sorted { $0.key < $1.key }.map { key, value in
            "\(key)=\("\(value)".addingPercentEncoding(withAllowedCharacters: allowed)!)"
        }.joined(separator: "&")
    }

    static func multipart(_ json: String) -> (String, String) {
        let object = try! JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        let boundary = "----smshub\(UUID().uuidString.prefix(8))"
        var text = ""
        for (key, value) in object.sorted(by: { $0.key < $1.key }) {
            text += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(key)\"\r\n\r\n\(value)\r\n"
        }
        text += "--\(boundary)--\r\n"
        return (text, boundary)
    }
}
