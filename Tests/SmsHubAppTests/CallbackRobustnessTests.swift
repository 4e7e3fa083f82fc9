import Cryptography
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Postgres
import SmsHubDomain
import TestSupport
import Testing

@testable import SmsHubApp
@testable import SmsHubRepository

/// Bad input, duplicates, disorder, concurrency and isolation on the callback path.
@Suite(.tags(.slow), .timeLimit(.minutes(10))) struct CallbackRobustnessTests {
    @Test func badBodiesAre4xxAndChangeNothing() async throws {
        try await withApp { app in
            let engage = try await app.engageLab()
            let huawei = try await app.makeAccount("huawei")
            let gateway = try await app.makeAccount(
                "gateway",
                settings: ["base_url": "http://127.0.0.1:1", "account": "a"],
                credentials: ["api_password": "p"]
            )
            let submail = try await app.submail()
            let hugeNumber = String(repeating: "1", count: 10_000)
            let json = "application/json"
            let form = "application/x-www-form-urlencoded"
            let cases: [(String, String, String, HTTPFields, HTTPResponse.Status, String)] = [
                // path, body, content type, extra headers, status, problem code
                (
                    engage.path("events"), String(EngageLabSeeds.delivered.dropLast(7)), json, AppHarness.engageLabHeaders(), .badRequest,
                    "invalid_body"
                ),  // truncated
                (engage.path("events"), "[1,2]", json, AppHarness.engageLabHeaders(), .badRequest, "invalid_body"),
                (engage.path("events"), "not json", json, AppHarness.engageLabHeaders(), .badRequest, "invalid_body"),
                (
                    engage.path("events"), EngageLabSeeds.delivered, "text/plain", AppHarness.engageLabHeaders(), .unsupportedMediaType,
                    "unsupported_media_type"
                ),
                (
                    engage.path("events"), EngageLabSeeds.delivered.replacingOccurrences(of: "1679388949000", with: "-5"), json,
                    AppHarness.engageLabHeaders(), .badRequest, "invalid_body"
                ),
                (
                    engage.path("events"),
                    EngageLabSeeds.delivered.replacingOccurrences(of: #""to":"+115927992951""#, with: #""to":"\#(hugeNumber)""#), json,
                    AppHarness.engageLabHeaders(), .badRequest, "invalid_body"
                ),
                (engage.path("events"), #"{"server":"sms","itime":1679388949000}"#, json, AppHarness.engageLabHeaders(), .badRequest, "invalid_body"),
                (huawei.path("status"), "smsMsgId=abc", form, [:], .badRequest, "invalid_body"),  // status missing
                (huawei.path("status"), "status=DELIVRD", form, [:], .badRequest, "invalid_body"),  // id missing
                (huawei.path("status"), "smsMsgId=a&status=DELIVRD&updateTime=yesterday", form, [:], .badRequest, "invalid_body"),
                (huawei.path("status"), "smsMsgId=a&status=DELIVRD&total=2&sequence=3", form, [:], .badRequest, "invalid_body"),
                (huawei.path("status"), "smsMsgId=%ZZ&status=DELIVRD", form, [:], .badRequest, "invalid_body"),
                (huawei.path("status"), #"{"statusReportList":[]}"#, json, [:], .badRequest, "invalid_body"),
                (
                    huawei.path("status"),
                    #"{"statusReportList":[\#(Array(repeating: #"{"smsMsgId":"a","status":"DELIVRD"}"#, count: 51).joined(separator: ","))]}"#, json,
                    [:], .badRequest, "invalid_body"
                ),
                (huawei.path("status"), "<xml/>", "application/xml", [:], .unsupportedMediaType, "unsupported_media_type"),
                (gateway.path("status"), #"{"sendId":"t","mobile":"\#(hugeNumber)","status":"DELIVRD"}"#, json, [:], .badRequest, "invalid_body"),
                (
                    gateway.path("status"), #"{"sendId":"t","mobile":"13512349831","status":"DELIVRD","times":"2019-13-45 99:00:00"}"#, json, [:],
                    .badRequest, "invalid_body"
                ),
                (gateway.path("replies"), #"{"mobile":"13512349831"}"#, json, [:], .badRequest, "invalid_body"),
                (gateway.path("replies"), #"{"mobile":"abc","content":"x"}"#, json, [:], .badRequest, "invalid_body"),
                (
                    submail.path("events"), SubmailSeeds.request.replacingOccurrences(of: #""address":"13812345678""#, with: #""address":"""#), json,
                    [:], .badRequest, "invalid_body"
                ),
                (
                    submail.path("events"), SubmailSeeds.request.replacingOccurrences(of: "1415014855", with: "-1415014855"), json, [:], .badRequest,
                    "invalid_body"
                ),
                (
                    submail.path("events"), "--x\r\nContent-Disposition: form-data; name=\"events\"\r\n\r\nrequest",
                    "multipart/form-data; boundary=x", [:], .badRequest, "invalid_body"
                ),
            ]
            for (path, body, type, headers, status, code) in cases {
                let reply = try await app.post(path, body: body, contentType: type, headers: headers)
                expectProblem(reply, status, code: code)
                #expect(reply.status == status, "\(path) \(body.prefix(80)) → \(reply.status) \(reply.text)")
            }
            // Invalid UTF-8 in each encoding.
            let invalid: [UInt8] = [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]
            let none: HTTPFields = [:]
            let targets: [(String, String, HTTPFields)] = [
                (engage.path("events"), json, AppHarness.engageLabHeaders()), (huawei.path("status"), json, none),
                (gateway.path("status"), form, none),
            ]
            for (path, type, headers) in targets {
                var all = headers
                all[.contentType] = type
                let bytes = type == form ? Array("sendId=%C3%28&mobile=1&status=x".utf8) : invalid
                let response = try await app.client.execute(uri: path, method: .post, headers: all, body: ByteBuffer(bytes: bytes))
                #expect(response.status == .badRequest)
            }
            // Oversized (the documented 1 MiB limit).
            let big = #"{"statusReportList":[{"smsMsgId":"a","status":"DELIVRD","statusDesc":""# + String(repeating: "x", count: 1_100_000) + #""}]}"#
            expectProblem(try await app.post(huawei.path("status"), body: big, contentType: json), .contentTooLarge, code: "payload_too_large")
            // Not even signature rejections were recorded: these bodies were refused before verification or had valid signatures.
            #expect(try await app.callbackRows() == 0)
        }
    }

    @Test func unknownTokensAndProvidersAre404() async throws {
        try await withApp { app in
            let engage = try await app.engageLab()
            let token = String(engage.path("events").split(separator: "/").last!)
            expectProblem(
                try await app.post("/callbacks/engagelab/\(String(repeating: "A", count: 43))", body: "{}", contentType: "application/json"),
                .notFound,
                code: "not_found"
            )
            expectProblem(try await app.post("/callbacks/engagelab/short", body: "{}", contentType: "application/json"), .notFound, code: "not_found")
            // A real token on another provider's route names no account there.
            expectProblem(
                try await app.post(
                    "/callbacks/huawei/\(token)/status",
                    body: "smsMsgId=a&status=DELIVRD",
                    contentType: "application/x-www-form-urlencoded"
                ),
                .notFound,
                code: "not_found"
            )
            // After rotation the old URL is gone, even though it was just used (and its account cached).
            #expect(try await app.postEngageLab(engage, EngageLabSeeds.delivered).status == .ok)
            let rotated = try await app.request(
                .post,
                "/v1/provider-accounts/\(engage.accountID.uuidString.lowercased())/callback-token/rotate",
                bearer: engage.key
            )
            #expect(rotated.status == .ok)
            let newURL = try #require((rotated.json["callback_urls"] as? [String: String])?["events"])
            expectProblem(try await app.postEngageLab(engage, EngageLabSeeds.delivered), .notFound, code: "not_found")
            let moved = CallbackAccount(tenantID: engage.tenantID, key: engage.key, accountID: engage.accountID, urls: ["events": newURL])
            #expect(try await app.postEngageLab(moved, EngageLabSeeds.delivered).status == .ok)
            // The same event through the new URL is a duplicate of the one before rotation.
            #expect(try await app.callbackRows() == 1)
        }
    }

    @Test func newSecretsTakeEffectAtOnceForCallbacksJustVerified() async throws {
        try await withApp { app in
            let engage = try await app.engageLab()
            #expect(try await app.postEngageLab(engage, EngageLabSeeds.delivered).status == .ok)
            let changed = try await app.request(
                .patch,
                "/v1/provider-accounts/\(engage.accountID.uuidString.lowercased())",
                bearer: engage.key,
                json: #"{"credentials":{"app_secret":"the-new-secret"}}"#
            )
            #expect(changed.status == .ok)
            expectProblem(try await app.postEngageLab(engage, EngageLabSeeds.reply), .unauthorized, code: "invalid_signature")
            let signed = AppHarness.engageLabHeaders(secret: "the-new-secret")
            #expect(try await app.postEngageLab(engage, EngageLabSeeds.reply, headers: signed).status == .ok)
        }
    }

    @Test func unknownEventTypesAreStoredRawCountedAndAcknowledged() async throws {
        try await withApp { app in
            let engage = try await app.engageLab()
            let submail = try await app.submail()
            let newStatus = EngageLabSeeds.delivered.replacingOccurrences(of: #""message_status":"delivered""#, with: #""message_status":"clicked""#)
            #expect(try await app.postEngageLab(engage, newStatus).status == .ok)
            let newEvent = SubmailSeeds.templateAccept.replacingOccurrences(of: "template_accept", with: "template_expired")
            #expect(try await app.post(submail.path("events"), body: newEvent, contentType: "application/json").status == .ok)
            let stored = try await app.rows("SELECT provider, outcome, reason, raw::text AS raw FROM callback_receipts ORDER BY received_at")
            #expect(stored.map { $0["outcome"]! } == ["unrecognised", "unrecognised"])
            #expect(stored[0]["raw"]??.contains("clicked") == true)
            #expect(stored[1]["reason"] == "submail event template_expired")
            let metrics = try await app.request(.get, "/metrics").text
            #expect(metrics.contains(#"smshub_callbacks_total{provider="engagelab",outcome="unrecognised"} 1"#))
            #expect(metrics.contains(#"smshub_callbacks_total{provider="submail",outcome="unrecognised"} 1"#))
        }
    }

    @Test func duplicatesAreAcknowledgedAndStoredOnce() async throws {
        try await withApp { app in
            let engage = try await app.engageLab()
            let huawei = try await app.makeAccount("huawei")
            for _ in 0..<3 {
                #expect(try await app.postEngageLab(engage, EngageLabSeeds.delivered).status == .ok)
                #expect(try await app.postEngageLab(engage, EngageLabSeeds.reply).status == .ok)
                #expect(
                    try await app.post(huawei.path("status"), body: "smsMsgId=m1&status=DELIVRD", contentType: "application/x-www-form-urlencoded")
                        .status == .ok
                )
            }
            #expect(try await app.count("status_events") == 2)
            #expect(try await app.count("replies") == 1)
            let metrics = try await app.request(.get, "/metrics").text
            #expect(metrics.contains(#"smshub_callbacks_total{provider="engagelab",outcome="duplicate"} 4"#))
        }
    }

    @Test func statesNeverMoveBackward() async throws {
        try await withApp { app in
            let huawei = try await app.makeAccount("huawei")
            let ids = try await app.seedRecipients(huawei, [("+8613800000001", "+8613800000001", "a"), ("+8613800000002", "+8613800000002", "b")])
            let post = { (id: String, status: String) in
                try await app.post(huawei.path("status"), body: "smsMsgId=\(id)&status=\(status)", contentType: "application/x-www-form-urlencoded")
            }
            // delivered before sent: stays delivered.
            #expect(try await post("a", "DELIVRD").status == .ok)
            #expect(try await post("a", "ACCEPTD").status == .ok)
            #expect(try await app.recipientStatus(ids[0]).status == "delivered")
            // failed after delivered: the first terminal state stays, the event is still kept.
            #expect(try await post("a", "UNDELIV").status == .ok)
            #expect(try await app.recipientStatus(ids[0]).status == "delivered")
            #expect(try await app.count("status_events") == 3)
            // sent, unknown, then expired: moves forward each time.
            _ = try await post("b", "ACCEPTD")
            #expect(try await app.recipientStatus(ids[1]).status == "sent")
            _ = try await post("b", "UNKNOWN")
            #expect(try await app.recipientStatus(ids[1]).status == "unknown")
            _ = try await post("b", "EXPIRED")
            #expect(try await app.recipientStatus(ids[1]).status == "expired")
        }
    }

    @Test func concurrentCallbacksForOneRecipientEndTerminal() async throws {
        try await withApp { app in
            let huawei = try await app.makeAccount("huawei")
            for round in 0..<5 {
                let id = "race-\(round)"
                let recipient = try await app.seedRecipients(huawei, [("+8613800000001", "+8613800000001", id)])[0]
                let codes = ["ACCEPTD", "DELIVRD", "UNKNOWN", "ACCEPTD", "UNDELIV", "ACCEPTD"].shuffled()
                try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                    for code in codes {
                        group.addTask {
                            try await app.post(
                                huawei.path("status"),
                                body: "smsMsgId=\(id)&status=\(code)",
                                contentType: "application/x-www-form-urlencoded"
                            ).status
                        }
                    }
                    for try await status in group { #expect(status == .ok) }
                }
                let final = try await app.recipientStatus(recipient).status
                #expect(final == "delivered" || final == "undelivered", "round \(round): \(final)")
                let history = try await app.rows("SELECT count(*) AS n FROM status_events WHERE provider_message_id = '\(id)'")[0]["n"]!!
                #expect(history == "4", "ACCEPTD three times is one event; DELIVRD, UNKNOWN, UNDELIV one each")
            }
        }
    }

    @Test func statusesBeforeTheirRecipientAreKeptAndAttachedLater() async throws {
        try await withApp { app in
            let huawei = try await app.makeAccount("huawei")
            #expect(
                try await app.post(huawei.path("status"), body: "smsMsgId=early&status=ACCEPTD", contentType: "application/x-www-form-urlencoded")
                    .status == .ok
            )
            #expect(
                try await app.post(huawei.path("status"), body: "smsMsgId=early&status=DELIVRD", contentType: "application/x-www-form-urlencoded")
                    .status == .ok
            )
            let pending = try await app.rows("SELECT recipient_id FROM status_events WHERE provider_message_id = 'early'")
            #expect(pending.count == 2 && pending.allSatisfy { $0["recipient_id"]! == nil })

            // The recipient appears (as the dispatcher records a send), and the waiting events are applied.
            let recipient = try await app.seedRecipients(huawei, [("+8613800000003", "+8613800000003", "early")])[0]
            try await app.pool.withTransaction { session in
                try await session.query("SELECT set_config('smshub.tenant_id', \(huawei.tenantID.uuidString), true)")
                try await RecipientStatus.attachAndApply(
                    tenantID: huawei.tenantID,
                    keys: [StatusAttachment.Key(accountID: huawei.accountID, providerMessageID: "early")],
                    session: session
                )
            }
            #expect(try await app.recipientStatus(recipient).status == "delivered")
            let attached = try await app.rows("SELECT recipient_id FROM status_events WHERE provider_message_id = 'early'")
            #expect(attached.allSatisfy { $0["recipient_id"]! == recipient.uuidString.lowercased() })
        }
    }

    @Test func maskedGatewayNumbersSharingAMaskLandOnDifferentRecipients() async throws {
        try await withApp { app in
            let gateway = try await app.makeAccount(
                "gateway",
                settings: ["base_url": "http://127.0.0.1:1", "account": "a"],
                credentials: ["api_password": "p"]
            )
            // 13512349831 and 13599999831 both mask to 135****9831.
            let ids = try await app.seedRecipients(gateway, [("13512349831", "+8613512349831", "task"), ("13599999831", "+8613599999831", "task")])
            for times in ["2019-04-12 17:57:08", "2019-04-12 17:57:09"] {
                let body = #"{"sendId":"task","mobile":"135****9831","times":"\#(times)","status":"DELIVRD"}"#
                #expect(try await app.post(gateway.path("status"), body: body, contentType: "application/json").status == .ok)
            }
            #expect(try await app.recipientStatus(ids[0]).status == "delivered")
            #expect(try await app.recipientStatus(ids[1]).status == "delivered")
        }
    }

    /// A masked copy that arrives first cannot tell which of two numbers masked alike it is for, so it
    /// is held and moves neither. When the push names the second number, the stored copy takes it and
    /// moves that number's recipient; the first number's own report is then a report of its own.
    @Test func aPushAfterItsMaskedCopyMovesItsOwnNumber() async throws {
        try await withApp { app in
            let gateway = try await app.makeAccount(
                "gateway",
                settings: ["base_url": "http://127.0.0.1:1", "account": "a"],
                credentials: ["api_password": "p"]
            )
            let ids = try await app.seedRecipients(gateway, [("13512349831", "+8613512349831", "task"), ("13599999831", "+8613599999831", "task")])
            func post(_ mobile: String) async throws {
                let body = #"{"sendId":"task","mobile":"\#(mobile)","times":"2019-04-12 17:57:08","status":"DELIVRD"}"#
                #expect(try await app.post(gateway.path("status"), body: body, contentType: "application/json").status == .ok)
            }
            let events = "SELECT number_raw, number_e164, recipient_id FROM status_events ORDER BY dedup_key"
            try await post("135****9831")
            #expect(try await app.recipientStatus(ids[0]).status == "submitted")
            #expect(try await app.recipientStatus(ids[1]).status == "submitted")
            #expect(try await app.rows("SELECT recipient_id FROM status_events").map { $0["recipient_id"] } == [.some(nil)])

            try await post("13599999831")
            #expect(try await app.recipientStatus(ids[1]).status == "delivered")
            #expect(
                try await app.rows(events) == [
                    ["number_raw": "13599999831", "number_e164": "+8613599999831", "recipient_id": ids[1].uuidString.lowercased()]
                ]
            )

            try await post("13512349831")
            #expect(try await app.rows(events).map { $0["recipient_id"] } == [ids[1].uuidString.lowercased(), ids[0].uuidString.lowercased()])
            // Everything again: nothing new.
            for mobile in ["135****9831", "13599999831", "13512349831"] { try await post(mobile) }
            #expect(try await app.count("status_events") == 2)
        }
    }

    /// The same, with the masked copy and the push in one batch (one transaction): the copy is stored
    /// first, then takes the push's number.
    @Test func aMaskedCopyAndItsPushInOneBatch() async throws {
        try await withApp { app in
            let gateway = try await app.makeAccount(
                "gateway",
                settings: ["base_url": "http://127.0.0.1:1", "account": "a"],
                credentials: ["api_password": "p"]
            )
            let ids = try await app.seedRecipients(gateway, [("13512349831", "+8613512349831", "task"), ("13599999831", "+8613599999831", "task")])
            func item(_ mobile: String) throws -> IncomingEvents {
                let fields = ["sendId": "task", "mobile": mobile, "times": "2019-04-12 17:57:08", "status": "DELIVRD"]
                let report = try GatewayCallbackParser.status(fields, raw: "{}", zone: TimeZone(identifier: "Asia/Shanghai")!)
                return IncomingEvents(
                    tenantID: gateway.tenantID,
                    accountID: gateway.accountID,
                    provider: .gateway,
                    source: .push,
                    events: [.status(report)]
                )
            }
            let store = PostgresEventStore(database: Database(pool: app.pool))
            let outcomes = try await store.store([item("135****9831"), item("13599999831"), item("13599999831")])
            #expect(outcomes == [StoreOutcome(stored: 1), StoreOutcome(duplicates: 1), StoreOutcome(duplicates: 1)])
            #expect(try await app.recipientStatus(ids[1]).status == "delivered")
            #expect(
                try await app.rows("SELECT number_e164, recipient_id FROM status_events") == [
                    ["number_e164": "+8613599999831", "recipient_id": ids[1].uuidString.lowercased()]
                ]
            )
        }
    }

    /// Pushes of numbers masked alike, in the same second with the same code, and masked copies of the
    /// same reports, all posted at once: concurrent ingest transactions count them in the copy tally
    /// in turn, so each number's report is stored once and the copies add nothing.
    @Test func concurrentCopiesOfReportsOnNumbersMaskedAlikeAreStoredOncePerNumber() async throws {
        try await withApp { app in
            let gateway = try await app.makeAccount(
                "gateway",
                settings: ["base_url": "http://127.0.0.1:1", "account": "a"],
                credentials: ["api_password": "p"]
            )
            let tasks = (0..<12).map { "task-\($0)" }
            var seeded: [(number: String, e164: String, providerMessageID: String)] = []
            for task in tasks {
                seeded += [("13512349831", "+8613512349831", task), ("13599999831", "+8613599999831", task)]
            }
            let ids = try await app.seedRecipients(gateway, seeded)
            var bodies: [String] = []
            for task in tasks {
                for mobile in ["13512349831", "13599999831", "135****9831", "135****9831", "13512349831"] {
                    bodies.append(#"{"sendId":"\#(task)","mobile":"\#(mobile)","times":"2019-04-12 17:57:08","status":"DELIVRD"}"#)
                }
            }
            try await withThrowingTaskGroup(of: Int.self) { group in
                for body in bodies.shuffled() {
                    group.addTask { Int(try await app.post(gateway.path("status"), body: body, contentType: "application/json").status.code) }
                }
                for try await status in group { #expect(status == 200) }
            }
            #expect(try await app.count("status_events") == 2 * tasks.count)
            for id in ids { #expect(try await app.recipientStatus(id).status == "delivered") }
            let tallies = try await app.rows("SELECT cardinality(pushed_numbers) AS pushed, pulled FROM gateway_copy_tallies")
            #expect(tallies.count == tasks.count)
            #expect(tallies.allSatisfy { $0["pushed"] == "2" && $0["pulled"] == "2" })
        }
    }

    /// One batch as the ingest batcher forms it under load: several tenants, repeats inside the batch
    /// and across items, many provider message ids. Each item's outcome counts its own events.
    @Test func aMixedBatchIsStoredInOneTransactionWithPerItemOutcomes() async throws {
        try await withApp { app in
            let a = try await app.makeAccount("huawei")
            let b = try await app.makeAccount("huawei")
            #expect(a.tenantID != b.tenantID)
            let aIDs = try await app.seedRecipients(a, [("+8613800000001", "+8613800000001", "m1"), ("+8613800000002", "+8613800000002", "m2")])
            let bIDs = try await app.seedRecipients(b, [("+8613800000001", "+8613800000001", "m1")])
            func report(_ id: String, _ state: DeliveryState, key: String) -> ProviderEvent {
                .status(StatusReport(providerMessageID: id, number: nil, state: state, dedupKey: key, raw: "{}"))
            }
            func item(_ account: CallbackAccount, _ events: [ProviderEvent]) -> IncomingEvents {
                IncomingEvents(tenantID: account.tenantID, accountID: account.accountID, provider: .huawei, source: .push, events: events)
            }
            let reply = ProviderEvent.reply(
                InboundReply(
                    providerMessageID: nil,
                    number: PhoneNumber(raw: "+8613800000001", e164: "+8613800000001"),
                    content: "hi",
                    repliedAt: nil,
                    dedupKey: "r1",
                    raw: "{}"
                )
            )
            let store = PostgresEventStore(database: Database(pool: app.pool))
            let outcomes = try await store.store([
                item(a, [report("m1", .sent, key: "a1"), report("m1", .delivered, key: "a2")]),
                item(b, [report("m1", .failed, key: "a1"), reply]),
                item(a, [report("m2", .delivered, key: "a3"), report("m1", .delivered, key: "a2")]),
                item(a, [report("nobody", .delivered, key: "a4"), report("m2", .delivered, key: "a3")]),
            ])
            #expect(
                outcomes == [
                    StoreOutcome(stored: 2), StoreOutcome(stored: 2), StoreOutcome(stored: 1, duplicates: 1), StoreOutcome(stored: 1, duplicates: 1),
                ]
            )
            #expect(try await app.recipientStatus(aIDs[0]).status == "delivered")
            #expect(try await app.recipientStatus(aIDs[1]).status == "delivered")
            #expect(try await app.recipientStatus(bIDs[0]).status == "failed")
            let events = try await app.rows("SELECT tenant_id, dedup_key, recipient_id FROM status_events ORDER BY dedup_key, tenant_id")
            #expect(events.count == 5)
            #expect(events.filter { $0["recipient_id"]! == nil }.map { $0["dedup_key"]! } == ["a4"])
            #expect(try await app.count("replies") == 1)
            // The same batch again: all duplicates, nothing changes.
            let again = try await store.store([item(a, [report("m1", .delivered, key: "a2")]), item(b, [reply])])
            #expect(again == [StoreOutcome(duplicates: 1), StoreOutcome(duplicates: 1)])
            #expect(try await app.count("status_events") == 5)
        }
    }

    @Test func twoTenantsWithTheSameProviderStayApart() async throws {
        try await withApp { app in
            let a = try await app.engageLab()
            let b = try await app.engageLab()
            #expect(a.tenantID != b.tenantID)
            #expect(try await app.postEngageLab(a, EngageLabSeeds.delivered).status == .ok)
            #expect(try await app.postEngageLab(b, EngageLabSeeds.reply).status == .ok)
            let events = try await app.rows("SELECT tenant_id, provider_account_id FROM status_events")
            #expect(events.count == 1)
            #expect(events[0]["tenant_id"] == a.tenantID.uuidString.lowercased())
            #expect(events[0]["provider_account_id"] == a.accountID.uuidString.lowercased())
            let replies = try await app.rows("SELECT tenant_id FROM replies")
            #expect(replies.map { $0["tenant_id"]! } == [b.tenantID.uuidString.lowercased()])
            // The same event to both tenants is stored for each: dedup keys are per tenant.
            #expect(try await app.postEngageLab(b, EngageLabSeeds.delivered).status == .ok)
            #expect(try await app.count("status_events") == 2)
            // Tenant B's key cannot see or name tenant A's account.
            expectProblem(
                try await app.request(.get, "/v1/provider-accounts/\(a.accountID.uuidString.lowercased())", bearer: b.key),
                .notFound,
                code: "not_found"
            )
        }
    }

    @Test func databaseUnavailableIs503SoTheProviderRetries() async throws {
        try await withTestDatabase { database in
            // Resolve tokens from a healthy pool but store through one whose database is gone.
            try await PGPool.scoped(.test(url: database.appURL, maxConnections: 2)) { pool in
                let migrator = Migrator(migrations: try Migration.bundled())
                var dependencies = Repositories(database: Database(pool: pool), migrator: migrator)
                let deadPool = PGPool(
                    configuration: PGConfiguration(url: "postgresql://smshub_app@127.0.0.1:1/none", maxConnections: 1, connectTimeoutSeconds: 1)
                )
                dependencies.events = PostgresEventStore(database: Database(pool: deadPool))
                try await withLiveRoutes(dependencies, database: database, pool: pool, logLevel: .info) { harness in
                    let huawei = try await harness.makeAccount("huawei")
                    let reply = try await harness.post(
                        huawei.path("status"),
                        body: "smsMsgId=a&status=DELIVRD",
                        contentType: "application/x-www-form-urlencoded"
                    )
                    expectProblem(reply, .serviceUnavailable, code: "service_unavailable")
                    #expect(try await harness.count("status_events") == 0)
                }
                await deadPool.close()
            }
        }
    }
}
