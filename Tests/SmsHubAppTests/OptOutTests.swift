import Cryptography
import Foundation
import HTTPTypes
import SmsHubDomain
import SmsHubSimulator
import TestSupport
import Testing

@testable import SmsHubApp
@testable import SmsHubRepository

/// The opt-out list end to end: replies and provider codes put numbers on it, sends meet it when they
/// are accepted and again when they are planned into a call, and no provider is called for a number
/// on it (the simulator counts every number it was sent).
@Suite(.tags(.slow), .timeLimit(.minutes(10))) struct OptOutTests {
    /// A SUBMAIL `mo` push from `number` saying `text`, signed with the route's SUBHOOK key.
    static func reply(_ route: RouteDispatchTests.Route, from number: String, _ text: String) async throws {
        let token = Hex.encode(SecureRandom.bytes(16))
        let body: [String: Any] = [
            "events": "mo", "address": number, "app": "10000", "content": text, "send_id": Hex.encode(SecureRandom.bytes(16)),
            "timestamp": "1415014855", "token": token, "signature": Digest.md5.hex(token + "subhook"),
        ]
        let json = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
        let posted = try await route.setup.app.post(route.submail.path("events"), body: json, contentType: "application/json")
        #expect(posted.status == .ok, "\(posted.text)")
    }

    /// Raw text through the route's SUBMAIL account; the recipients as the 202 shows them.
    static func sendText(_ route: RouteDispatchTests.Route, _ numbers: [String], category: String? = nil) async throws -> [[String: Any]] {
        let list = numbers.map { "\"\($0)\"" }.joined(separator: ",")
        let categoryMember = category.map { #","category":"\#($0)""# } ?? ""
        // Each category's text as its rules want it (CategoryRules).
        let content = ["marketing": "【Acme】周末特惠 拒收请回复R", "verification": "【Acme】您的验证码是1234"][category ?? ""] ?? "【Acme】您的订单已发货"
        let body =
            #"{"provider_account_id":"\#(route.submail.accountID.uuidString.lowercased())","recipients":[\#(list)],"content":"\#(content)"\#(categoryMember)}"#
        let sent = try await route.setup.app.request(.post, "/v1/messages", bearer: route.key, json: body)
        #expect(sent.status == .accepted, "\(sent.text)")
        return try #require(sent.json["recipients"] as? [[String: Any]])
    }

    @Test func aReplyOfRStopsTheNextSendBeforeAnyProviderCall() async throws {
        try await RouteDispatchTests().withRoute { route in
            let app = route.setup.app
            try await Self.reply(route, from: "13800000031", "ｒ。")
            let listed = try await app.rows("SELECT number_e164, scope, source, reply_id IS NOT NULL AS linked FROM opt_outs")
            #expect(listed == [["number_e164": "+8613800000031", "scope": "all", "source": "reply", "linked": "t"]])

            let recipients = try await Self.sendText(route, ["+8613800000031", "+8613800000032"], category: "marketing")
            #expect(recipients.map { $0["status"] as? String } == ["failed", "queued"])
            #expect(recipients.first?["status_code"] as? String == "opted_out")
            #expect(try await route.dispatcher().runOnce() == 1)
            #expect(await route.setup.senders.sends[.submail] == ["+8613800000032": 1], "no call for the opted-out number")
        }
    }

    @Test func aReplyBetweenAcceptanceAndDispatchStopsTheRecipient() async throws {
        try await RouteDispatchTests().withRoute { route in
            let recipients = try await Self.sendText(route, ["+8613800000041", "+8613800000042"])
            #expect(recipients.map { $0["status"] as? String } == ["queued", "queued"])
            try await Self.reply(route, from: "+8613800000041", " 退 订 ")
            #expect(try await route.dispatcher().runOnce() == 1)
            #expect(await route.setup.senders.sends[.submail] == ["+8613800000042": 1])
            let stopped = try await route.status(try #require(recipients[0]["id"] as? String))
            #expect(stopped.status == "failed" && stopped.code == "opted_out")
            #expect(try await route.setup.app.rows("SELECT 1 FROM send_attempts WHERE recipient_id = '\(recipients[0]["id"]!)'").isEmpty)
        }
    }

    @Test func verificationCodesAreExemptUnlessTheTenantSaysOtherwise() async throws {
        try await RouteDispatchTests().withRoute { route in
            let app = route.setup.app
            // Several codes to one number in a minute: the default cap is off for this test.
            _ = try await app.request(.put, "/v1/send-rules", bearer: route.key, json: #"{"caps":{"verification":[]}}"#)
            try await Self.reply(route, from: "13800000051", "STOP")
            let code = try await route.send(["+8613800000051"])
            #expect(try await route.status(code[0]).status == "queued", "a verification code still goes")
            let stated = try await Self.sendText(route, ["+8613800000051"], category: "verification")
            #expect(stated.first?["status"] as? String == "queued")

            let put = try await app.request(
                .put,
                "/v1/send-rules",
                bearer: route.key,
                json: #"{"opt_out":{"verification":true},"caps":{"verification":[]}}"#
            )
            #expect(put.status == .ok && put.text.contains(#""verification":true"#), "\(put.text)")
            let stopped = try await route.send(["+8613800000051"])
            #expect(try await route.status(stopped[0]).code == "opted_out")
            // The earlier ones, still queued, meet the list again when planned.
            _ = try await route.dispatcher().runOnce()
            #expect(try await route.status(code[0]).code == "opted_out")
            #expect(await route.setup.senders.sends.isEmpty)

            let scoped = try await app.request(.post, "/v1/opt-outs", bearer: route.key, json: #"{"number":"13800000052","scope":"marketing"}"#)
            #expect(scoped.status == .created, "\(scoped.text)")
            #expect(try await Self.sendText(route, ["+8613800000052"]).first?["status"] as? String == "queued", "a notification passes")
            #expect(try await Self.sendText(route, ["+8613800000052"], category: "marketing").first?["status"] as? String == "failed")
        }
    }

    @Test func startLiftsWhatRepliesAddedButNotTheTenantsOwnEntries() async throws {
        try await RouteDispatchTests().withRoute { route in
            let app = route.setup.app
            try await Self.reply(route, from: "13800000061", "TD")
            try await Self.reply(route, from: "13800000062", "R")
            let added = try await app.request(
                .post,
                "/v1/opt-outs",
                bearer: route.key,
                json: #"{"number":"+8613800000062","reason":"asked by phone"}"#
            )
            #expect(added.status == .ok, "the number already had the scope: the existing entry")
            let own = try await app.request(.post, "/v1/opt-outs", bearer: route.key, json: #"{"number":"+8613800000063","reason":"asked by phone"}"#)
            #expect(own.status == .created && own.json["source"] as? String == "api" && own.json["reason"] as? String == "asked by phone")
            for number in ["13800000061", "13800000062", "13800000063"] { try await Self.reply(route, from: number, "Start") }
            let left = try await app.rows("SELECT number_e164 FROM opt_outs ORDER BY 1")
            #expect(left.map { $0["number_e164"] ?? nil } == ["+8613800000063"])
            let history = try await app.request(.get, "/v1/opt-outs/+8613800000061", bearer: route.key)
            #expect(history.json["opted_out"] as? Bool == false)
            let changes = try #require(history.json["history"] as? [[String: Any]])
            #expect(changes.map { $0["action"] as? String } == ["removed", "added"])

            _ = try await app.request(.put, "/v1/send-rules", bearer: route.key, json: #"{"opt_out":{"opt_in_by_reply":false}}"#)
            try await Self.reply(route, from: "13800000064", "R")
            try await Self.reply(route, from: "13800000064", "START")
            #expect(try await app.rows("SELECT 1 FROM opt_outs WHERE number_e164 = '+8613800000064'").count == 1, "opt-in by reply is off")
        }
    }

    @Test func providerCodesAddOptOutsAndBlacklistingsByTheRules() async throws {
        try await RouteDispatchTests().withRoute { route in
            let app = route.setup.app
            let store = PostgresEventStore(database: Database(pool: app.pool))
            func report(_ number: String, _ code: String) -> IncomingEvents {
                let event = ProviderEvent.status(
                    StatusReport(
                        providerMessageID: Hex.encode(SecureRandom.bytes(8)),
                        number: PhoneNumber(raw: number, e164: number),
                        state: .failed,
                        code: code,
                        dedupKey: "test:\(number):\(code)",
                        raw: "{}"
                    )
                )
                return IncomingEvents(
                    tenantID: route.huawei.tenantID,
                    accountID: route.huawei.accountID,
                    provider: .huawei,
                    source: .push,
                    events: [event]
                )
            }
            _ = try await store.store([report("+8613800000071", "SC:0016"), report("+8613800000072", "TDBLACK"), report("+8613800000073", "DELIVRD")])
            _ = try await app.request(.put, "/v1/send-rules", bearer: route.key, json: #"{"opt_out":{"list_blacklisted":false}}"#)
            _ = try await store.store([report("+8613800000074", "TDBLACK"), report("+8613800000075", "SC:0016")])
            _ = try await store.store([report("+8613800000071", "SC:0016")])
            let listed = try await app.rows("SELECT number_e164, source, code FROM opt_outs ORDER BY 1")
            #expect(
                listed == [
                    ["number_e164": "+8613800000071", "source": "report", "code": "SC:0016"],
                    ["number_e164": "+8613800000072", "source": "report", "code": "TDBLACK"],
                    ["number_e164": "+8613800000075", "source": "report", "code": "SC:0016"],
                ]
            )
            #expect(try await app.count("opt_out_changes") == 3, "a repeated report changes nothing")
        }
    }

    @Test func theListThroughTheAPIStaysWithinItsTenantAndAnnouncesChanges() async throws {
        try await RouteDispatchTests().withRoute { route in
            let app = route.setup.app
            let endpoint = try await app.request(
                .post,
                "/v1/webhook-endpoints",
                bearer: route.key,
                json: #"{"url":"\#(route.setup.simulator)/sim/webhooks/x","event_types":["recipient.opted_out","recipient.opted_in"]}"#
            )
            #expect(endpoint.status == .created, "\(endpoint.text)")
            for bad in [
                #"{"number":"12"}"#, #"{"number":"13800000081","scope":"spam"}"#,
                #"{"number":"13800000081","reason":"\#(String(repeating: "x", count: 501))"}"#,
            ] {
                let refused = try await app.request(.post, "/v1/opt-outs", bearer: route.key, json: bad)
                #expect(refused.status == .unprocessableContent, "\(bad): \(refused.text)")
            }
            #expect(try await app.request(.post, "/v1/opt-outs", bearer: route.key, json: #"{"scope":"all"}"#).status == .badRequest)
            #expect(try await app.count("opt_out_changes") == 0, "refusals change nothing")

            let added = try await app.request(.post, "/v1/opt-outs", bearer: route.key, json: #"{"number":"+86 138 0000 0081","scope":"marketing"}"#)
            #expect(added.status == .created && added.headers[.location] == "/v1/opt-outs/+8613800000081")
            let list = try await app.request(.get, "/v1/opt-outs?number=13800000081", bearer: route.key)
            #expect((list.json["items"] as? [[String: Any]])?.count == 1)

            let other = try await app.makeTenant("Other")
            let seen = try await app.request(.get, "/v1/opt-outs/%2B8613800000081", bearer: other.key)
            #expect(seen.status == .ok && seen.json["opted_out"] as? Bool == false, "another tenant's list is its own")
            #expect(try await app.request(.delete, "/v1/opt-outs/+8613800000081?scope=marketing", bearer: other.key).status == .notFound)
            #expect(try await app.request(.delete, "/v1/opt-outs/+8613800000081", bearer: route.key).status == .notFound, "scope all is not listed")
            #expect(try await app.request(.delete, "/v1/opt-outs/abc", bearer: route.key).status == .badRequest)
            let removed = try await app.request(.delete, "/v1/opt-outs/+8613800000081?scope=marketing&reason=consent%20given", bearer: route.key)
            #expect(removed.status == .noContent)
            let events = try await app.rows(
                "SELECT type, data->>'number' AS number, data->>'reason' AS reason FROM webhook_events ORDER BY occurred_at, id"
            )
            #expect(
                events == [
                    ["type": "recipient.opted_out", "number": "+8613800000081", "reason": nil],
                    ["type": "recipient.opted_in", "number": "+8613800000081", "reason": "consent given"],
                ]
            )
        }
    }
}
