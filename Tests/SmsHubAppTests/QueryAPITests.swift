import Foundation
import HTTPTypes
import TestSupport
import Testing

/// The tenant query API over real PostgreSQL: filters, keyset pages, shapes, and errors.
@Suite(.tags(.slow), .timeLimit(.minutes(10))) struct QueryAPITests {
    @Test func messagesNewestFirstWithEveryFilter() async throws {
        try await withApp { app in
            let account = try await app.makeAccount("huawei")
            let other = try await app.makeAccount("huawei", tenant: (account.tenantID.uuidString.lowercased(), account.key))
            let m1 = try await app.seedMessage(
                account,
                at: "2026-11-01T10:00:00Z",
                reference: "order-1",
                recipients: [("13812345678", "+8613812345678", "delivered")]
            )
            let m2 = try await app.seedMessage(
                account,
                at: "2026-11-02T10:00:00Z",
                recipients: [("13812345678", "+8613812345678", "failed"), ("13900000000", "+8613900000000", "delivered")]
            )
            let m3 = try await app.seedMessage(
                other,
                at: "2026-11-03T10:00:00Z",
                reference: "order-1",
                recipients: [("13900000000", "+8613900000000", "queued")]
            )
            let key = account.key

            let all = try await app.items("/v1/messages", key: key)
            #expect(ids(all.items) == [m3.idString, m2.idString, m1.idString])
            #expect(all.reply.json["next_cursor"] == nil)
            let first = try #require(all.items.last)
            #expect(first["recipient_count"] as? Int == 1)
            #expect(first["client_reference"] as? String == "order-1")
            #expect(first["created_at"] as? String == "2026-11-01T10:00:00Z")
            #expect(first["recipients"] == nil, "lists leave recipients to GET /v1/messages/{id}")

            #expect(ids(try await app.items("/v1/messages?status=failed", key: key).items) == [m2.idString])
            #expect(ids(try await app.items("/v1/messages?status=delivered", key: key).items) == [m2.idString, m1.idString])
            // The same number in every written form.
            for written in ["13812345678", "%2B8613812345678", "008613812345678", "%2B86%20138%201234%205678"] {
                #expect(ids(try await app.items("/v1/messages?number=\(written)", key: key).items) == [m2.idString, m1.idString], "\(written)")
            }
            #expect(ids(try await app.items("/v1/messages?number=13812345678&status=failed", key: key).items) == [m2.idString])
            #expect(ids(try await app.items("/v1/messages?client_reference=order-1", key: key).items) == [m3.idString, m1.idString])
            #expect(ids(try await app.items("/v1/messages?client_reference=order-1&status=queued", key: key).items) == [m3.idString])
            #expect(
                ids(try await app.items("/v1/messages?provider_account_id=\(other.accountID.uuidString.lowercased())", key: key).items) == [
                    m3.idString
                ]
            )
            #expect(
                ids(
                    try await app.items("/v1/messages?status=delivered&provider_account_id=\(account.accountID.uuidString.lowercased())", key: key)
                        .items
                ) == [m2.idString, m1.idString]
            )
            #expect(
                ids(try await app.items("/v1/messages?from=2026-11-02T10:00:00Z&to=2026-11-03T10:00:00Z", key: key).items) == [m2.idString],
                "from inclusive, to exclusive"
            )
            #expect(
                ids(try await app.items("/v1/messages?from=2026-11-02T18:00:00%2B08:00", key: key).items) == [m3.idString, m2.idString],
                "offsets are honoured"
            )
            #expect(ids(try await app.items("/v1/messages?status=delivered&to=2026-11-02T00:00:00Z", key: key).items) == [m1.idString])
            #expect(try await app.items("/v1/messages?number=13700000000", key: key).items.isEmpty)
            #expect(try await app.items("/v1/messages?from=2026-11-03T00:00:00Z&to=2026-11-01T00:00:00Z", key: key).items.isEmpty, "an empty range")
        }
    }

    @Test func pagesAreKeysetAndStableWhileRowsArrive() async throws {
        try await withApp { app in
            let account = try await app.makeAccount("huawei")
            var seeded: [String] = []
            for day in 1...9 {
                // Two messages share each time: the id breaks the tie.
                for _ in 0..<2 {
                    let status = day % 3 == 0 ? "failed" : "delivered"
                    seeded.append(
                        try await app.seedMessage(
                            account,
                            at: "2026-11-0\(day)T08:00:00Z",
                            recipients: [("1380000000\(day)", "+861380000000\(day)", status)]
                        ).idString
                    )
                }
            }
            for path in ["/v1/messages", "/v1/messages?status=delivered", "/v1/messages?number=13800000003"] {
                let everything = try await app.items(path + (path.contains("?") ? "&" : "?") + "limit=200", key: account.key).items
                for limit in [1, 2, 5] {
                    let paged = try await app.allPages(path, key: account.key, limit: limit)
                    #expect(ids(paged) == ids(everything), "\(path) limit \(limit)")
                }
            }
            #expect(try await app.items("/v1/messages?status=failed&limit=200", key: account.key).items.count == 6)

            // Page 1, then newer messages arrive, then page 2: nothing repeated, nothing skipped.
            let page1 = try await app.request(.get, "/v1/messages?limit=5", bearer: account.key)
            let cursor = try #require(page1.json["next_cursor"] as? String)
            for _ in 0..<3 {
                try await app.seedMessage(account, at: "2026-11-20T08:00:00Z", recipients: [("13811111111", "+8613811111111", "queued")])
            }
            var rest: [[String: Any]] = []
            var next: String? = cursor
            while let token = next {
                let page = try await app.request(.get, "/v1/messages?limit=5&cursor=\(token)", bearer: account.key)
                rest += page.json["items"] as? [[String: Any]] ?? []
                next = page.json["next_cursor"] as? String
            }
            let walked = ids(page1.json["items"] as? [[String: Any]] ?? []) + ids(rest)
            #expect(walked == ids(try await app.items("/v1/messages?limit=200&to=2026-11-19T00:00:00Z", key: account.key).items))
            #expect(Set(walked) == Set(seeded))
        }
    }

    @Test func recipientHistoryAndStatusEvents() async throws {
        try await withApp { app in
            let account = try await app.makeAccount("huawei")
            let recipients = try await app.seedRecipients(
                account,
                [("+8613800000002", "+8613800000002", "long-1"), ("13800000003", "+8613800000003", "single-1")]
            )
            let part = { (n: Int, status: String) in
                #"{"smsMsgId":"long-1","total":"2","sequence":"\#(n)","status":"\#(status)","updateTime":"2018-04-13T06:31:4\#(n)Z"}"#
            }
            #expect(
                try await app.post(account.path("status"), body: #"{"statusReportList":[\#(part(1, "DELIVRD"))]}"#, contentType: "application/json")
                    .status == .ok
            )
            #expect(
                try await app.post(account.path("status"), body: #"{"statusReportList":[\#(part(2, "DELIVRD"))]}"#, contentType: "application/json")
                    .status == .ok
            )
            #expect(
                try await app.post(account.path("status"), body: "smsMsgId=single-1&status=E200027", contentType: "application/x-www-form-urlencoded")
                    .status == .ok
            )

            let id = recipients[0].uuidString.lowercased()
            let history = try await app.request(.get, "/v1/recipients/\(id)", bearer: account.key)
            #expect(history.status == .ok, "\(history.text)")
            #expect(history.json["status"] as? String == "delivered")
            #expect(history.json["number"] as? String == "+8613800000002")
            #expect(history.json["number_e164"] as? String == "+8613800000002")
            let events = try #require(history.json["events"] as? [[String: Any]])
            #expect(events.count == 2)
            #expect(events.map { $0["part_sequence"] as? Int } == [1, 2])
            #expect(
                events.allSatisfy { $0["status_code"] as? String == "DELIVRD" && $0["status_description"] as? String == "Delivered to the handset." }
            )
            #expect(events.allSatisfy { $0["recipient_id"] as? String == id && $0["message_id"] as? String == history.json["message_id"] as? String })
            #expect(events[0]["occurred_at"] as? String == "2018-04-13T06:31:41Z")

            let failed = try await app.items("/v1/status-events?status=failed", key: account.key).items
            #expect(failed.count == 1)
            #expect(failed.first?["status_code"] as? String == "E200027")
            #expect(failed.first?["provider_message_id"] as? String == "single-1")
            #expect(try await app.items("/v1/status-events", key: account.key).items.count == 3)
            #expect(try await app.items("/v1/status-events?provider_message_id=long-1", key: account.key).items.count == 2)
            #expect(try await app.items("/v1/status-events?number=13800000002&limit=1", key: account.key).items.count == 1)
            #expect(try await app.allPages("/v1/status-events", key: account.key, limit: 1).count == 3)
            #expect(try await app.items("/v1/status-events?provider_account_id=\(UUID().uuidString.lowercased())", key: account.key).items.isEmpty)
            #expect(try await app.items("/v1/status-events?from=2100-01-01T00:00:00Z", key: account.key).items.isEmpty)
        }
    }

    @Test func repliesReviewEventsAndBalances() async throws {
        try await withApp { app in
            let account = try await app.submail()
            let recipient = try await app.seedRecipients(account, [("13812345678", "+8613812345678", "093c0a7df143c087d6cba9cdf0cf3738")])[0]
            for body in [SubmailSeeds.mo, SubmailSeeds.templateAccept, SubmailSeeds.templateReject, SubmailSeeds.smsSignature] {
                #expect(try await app.post(account.path("events"), body: body, contentType: "application/json").status == .ok)
            }
            let replies = try await app.items("/v1/replies", key: account.key).items
            #expect(replies.count == 1)
            let reply = try #require(replies.first)
            #expect(reply["content"] as? String == "好的")
            #expect(reply["number"] as? String == "13812345678")
            #expect(reply["number_e164"] as? String == "+8613812345678")
            #expect(reply["recipient_id"] as? String == recipient.uuidString.lowercased())
            let messageID = try #require(reply["message_id"] as? String)
            #expect(ids(try await app.items("/v1/replies?message_id=\(messageID)", key: account.key).items) == ids(replies))
            #expect(ids(try await app.items("/v1/replies?number=%2B8613812345678", key: account.key).items) == ids(replies))
            #expect(try await app.items("/v1/replies?number=13900000000", key: account.key).items.isEmpty)
            let one = try await app.request(.get, "/v1/replies/\(ids(replies)[0])", bearer: account.key)
            #expect(one.status == .ok)
            #expect(one.json["content"] as? String == "好的")

            let reviews = try await app.items("/v1/review-events", key: account.key).items
            #expect(reviews.count == 3)
            let templates = try await app.items("/v1/review-events?kind=template&subject=H5OSN4", key: account.key).items
            #expect(Set(templates.compactMap { $0["result"] as? String }) == ["approved", "rejected"])
            let rejected = try await app.items(
                "/v1/review-events?result=rejected&provider_account_id=\(account.accountID.uuidString.lowercased())",
                key: account.key
            ).items
            #expect(rejected.count == 2)
            #expect(rejected.allSatisfy { $0["reason"] != nil })
            #expect(try await app.items("/v1/review-events?kind=signature", key: account.key).items.first?["subject"] as? String == "【SUBMAIL】")

            let gateway = try await app.makeAccount("huawei", tenant: (account.tenantID.uuidString.lowercased(), account.key))
            try await app.seedBalance(account, "100.5", at: "2026-11-01T00:00:00Z")
            try await app.seedBalance(account, "90", at: "2026-11-02T00:00:00Z")
            try await app.seedBalance(account, "80", at: "2026-11-03T00:00:00Z")
            try await app.seedBalance(gateway, "7", at: "2026-11-01T00:00:00Z")
            let latest = try await app.items("/v1/balances", key: account.key).items
            #expect(latest.map { $0["balance"] as? Double } == [80, 7])
            #expect(latest.map { $0["provider_account_id"] as? String } == [account.accountID, gateway.accountID].map { $0.uuidString.lowercased() })
            let path = "/v1/provider-accounts/\(account.accountID.uuidString.lowercased())/balances"
            #expect(try await app.allPages(path, key: account.key, limit: 2).map { $0["balance"] as? Double } == [80, 90, 100.5])
            #expect(
                try await app.items(path + "?from=2026-11-02T00:00:00Z&to=2026-11-03T00:00:00Z", key: account.key).items.map {
                    $0["balance"] as? Double
                } == [90]
            )
        }
    }

    @Test func dailySummaryCountsByDayAccountAndOutcome() async throws {
        try await withApp { app in
            let account = try await app.makeAccount("huawei")
            let tenant = (account.tenantID.uuidString.lowercased(), account.key)
            let second = try await app.makeAccount("huawei", tenant: tenant)
            // 2026-11-01 23:30 UTC is 2026-11-02 07:30 in Shanghai.
            try await app.seedMessage(
                account,
                at: "2026-11-01T23:30:00Z",
                recipients: [
                    ("13800000001", "+8613800000001", "delivered"), ("13800000002", "+8613800000002", "failed"),
                    ("13800000003", "+8613800000003", "undelivered"), ("13800000004", "+8613800000004", "submitted"),
                ]
            )
            try await app.seedMessage(
                account,
                at: "2026-11-02T01:00:00Z",
                recipients: [("13800000005", "+8613800000005", "delivered"), ("13800000006", "+8613800000006", "expired")]
            )
            try await app.seedMessage(second, at: "2026-11-02T01:00:00Z", recipients: [("13800000007", "+8613800000007", "queued")])

            func summary(_ query: String) async throws -> [String] {
                let reply = try await app.request(.get, "/v1/summary/daily?\(query)", bearer: account.key)
                #expect(reply.status == .ok, "\(reply.text)")
                return (reply.json["items"] as? [[String: Any]] ?? []).map { item in
                    let account = item["provider_account_id"] as? String == second.accountID.uuidString.lowercased() ? "B" : "A"
                    return
                        "\(item["date"]!) \(account) sent=\(item["sent"]!) delivered=\(item["delivered"]!) failed=\(item["failed"]!) pending=\(item["pending"]!)"
                }
            }
            #expect(
                try await summary("to=2026-11-02&days=2") == [
                    "2026-11-02 A sent=2 delivered=1 failed=1 pending=0",
                    "2026-11-02 B sent=1 delivered=0 failed=0 pending=1",
                    "2026-11-01 A sent=4 delivered=1 failed=2 pending=1",
                ]
            )
            #expect(
                try await summary("to=2026-11-02&days=2&time_zone=Asia/Shanghai") == [
                    "2026-11-02 A sent=6 delivered=2 failed=3 pending=1",
                    "2026-11-02 B sent=1 delivered=0 failed=0 pending=1",
                ]
            )
            // West of UTC, the day ends on the next UTC day: both messages are 2026-11-01 in Los Angeles.
            #expect(
                try await summary("to=2026-11-01&days=1&time_zone=America/Los_Angeles") == [
                    "2026-11-01 A sent=6 delivered=2 failed=3 pending=1",
                    "2026-11-01 B sent=1 delivered=0 failed=0 pending=1",
                ]
            )
            #expect(
                try await summary("to=2026-11-02&days=1&provider_account_id=\(second.accountID.uuidString.lowercased())") == [
                    "2026-11-02 B sent=1 delivered=0 failed=0 pending=1"
                ]
            )
            #expect(try await summary("to=2026-10-31&days=31").isEmpty)
            let defaults = try await app.request(.get, "/v1/summary/daily", bearer: account.key)
            #expect(defaults.json["time_zone"] as? String == "UTC")
            #expect(defaults.json["from"] as? String != nil && defaults.json["to"] as? String != nil)
        }
    }

    @Test func badParametersAreNamedIn400s() async throws {
        try await withApp { app in
            let account = try await app.makeAccount("huawei")
            let cases: [(String, String)] = [
                ("/v1/messages?from=yesterday", "from"),
                ("/v1/messages?from=2026-11-01T00:00:00", "from"),
                ("/v1/messages?to=2026-13-01T00:00:00Z", "to"),
                ("/v1/messages?status=lost", "status"),
                ("/v1/messages?provider_account_id=42", "provider_account_id"),
                ("/v1/messages?number=call-me", "number"),
                ("/v1/messages?number=138****5678", "number"),
                ("/v1/messages?cursor=not-a-cursor", "cursor"),
                ("/v1/messages?limit=0", "limit"),
                ("/v1/messages?limit=201", "limit"),
                ("/v1/messages?stauts=failed", "stauts"),
                ("/v1/messages?status=failed&status=delivered", "status"),
                ("/v1/messages?client_reference=", "client_reference"),
                ("/v1/status-events?status=x", "status"),
                ("/v1/status-events?number=x", "number"),
                ("/v1/replies?message_id=x", "message_id"),
                ("/v1/review-events?kind=logo", "kind"),
                ("/v1/review-events?result=maybe", "result"),
                ("/v1/summary/daily?to=2026-02-30", "to"),
                ("/v1/summary/daily?days=0", "days"),
                ("/v1/summary/daily?days=367", "days"),
                ("/v1/summary/daily?from=2026-11-01", "from"),
                ("/v1/messages?number=0", "number"),
                ("/v1/messages?number=%2B86%20%20%20138", "number"),
                ("/v1/review-events?subject=a%01b", "subject"),
                ("/v1/summary/daily?time_zone=Mars/Olympus", "time_zone"),
                ("/v1/summary/daily?limit=5", "limit"),
                ("/v1/recipients/not-a-uuid", "recipient_id"),
                ("/v1/replies/not-a-uuid", "reply_id"),
                ("/v1/provider-accounts/x/balances", "account_id"),
                ("/v1/provider-accounts/\(account.accountID.uuidString.lowercased())/balances?cursor=%25", "cursor"),
                ("/v1/balances?limit=1", "limit"),
            ]
            for (path, parameter) in cases {
                let reply = try await app.request(.get, path, bearer: account.key)
                #expect(reply.status == .badRequest, "\(path): \(reply.text)")
                #expect(reply.contentType == "application/problem+json")
                #expect(reply.json["code"] as? String == "invalid_parameter", "\(path)")
                let fields = (reply.json["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String }
                #expect(fields == [parameter], "\(path): \(reply.text)")
            }
        }
    }

    @Test func anotherTenantsIdsAreNotFoundLikeMissingOnes() async throws {
        try await withApp { app in
            let a = try await app.submail()
            let b = try await app.makeAccount("huawei")
            let message = try await app.seedMessage(a, at: "2026-11-01T00:00:00Z", recipients: [("13812345678", "+8613812345678", "delivered")])
            #expect(try await app.post(a.path("events"), body: SubmailSeeds.mo, contentType: "application/json").status == .ok)
            let replyID = try #require(ids(try await app.items("/v1/replies", key: a.key).items).first)
            try await app.seedBalance(a, "1", at: "2026-11-01T00:00:00Z")

            let paths = [
                "/v1/messages/\(message.idString)",
                "/v1/recipients/\(message.recipients[0].uuidString.lowercased())",
                "/v1/replies/\(replyID)",
                "/v1/provider-accounts/\(a.accountID.uuidString.lowercased())/balances",
            ]
            for path in paths {
                #expect(try await app.request(.get, path, bearer: a.key).status == .ok, "\(path)")
                let theirs = try await app.request(.get, path, bearer: b.key)
                let missing = try await app.request(
                    .get,
                    path.replacingOccurrences(
                        of: path.split(separator: "/").last == "balances"
                            ? a.accountID.uuidString.lowercased() : String(path.split(separator: "/").last!),
                        with: UUID().uuidString.lowercased()
                    ),
                    bearer: b.key
                )
                #expect(theirs.status == .notFound, "\(path)")
                var theirsBody = theirs.json
                var missingBody = missing.json
                theirsBody["request_id"] = nil
                missingBody["request_id"] = nil
                #expect(NSDictionary(dictionary: theirsBody).isEqual(to: missingBody), "\(path): \(theirs.text) vs \(missing.text)")
            }
            // Lists filtered by another tenant's ids are simply empty.
            for path in [
                "/v1/messages?provider_account_id=\(a.accountID.uuidString.lowercased())", "/v1/replies?message_id=\(message.idString)",
                "/v1/status-events", "/v1/review-events", "/v1/balances",
            ] {
                #expect(try await app.items(path, key: b.key).items.isEmpty, "\(path)")
            }
        }
    }

    /// A cursor used to carry its time in clear: one near Int64.max microseconds trapped the
    /// process. Cursors are sealed now, so a forged, another tenant's or another list's cursor is a
    /// 400 naming `cursor`, and the server goes on answering.
    @Test func cursorsAreSealedToTheirTenantAndList() async throws {
        try await withApp { app in
            let a = try await app.makeAccount("huawei")
            let b = try await app.makeAccount("huawei")
            for day in 1...3 {
                try await app.seedMessage(a, at: "2026-11-0\(day)T00:00:00Z", recipients: [("13812345678", "+8613812345678", "queued")])
            }
            let first = try await app.items("/v1/messages?limit=1", key: a.key)
            let cursor = try #require(first.reply.json["next_cursor"] as? String)
            #expect(try await app.items("/v1/messages?limit=1&cursor=\(cursor)", key: a.key).items.count == 1)

            let oldFormatNearInt64Max = Data("9223372036854775.\(UUID().uuidString.lowercased())".utf8).base64EncodedString()
                .replacingOccurrences(of: "=", with: "")
            for (path, key) in [
                ("/v1/messages?cursor=\(oldFormatNearInt64Max)", a.key),
                ("/v1/messages?cursor=\(cursor)", b.key),
                ("/v1/status-events?cursor=\(cursor)", a.key),
                ("/v1/replies?cursor=\(cursor)A", a.key),
            ] {
                let reply = try await app.request(.get, path, bearer: key)
                #expect(reply.status == .badRequest, "\(path): \(reply.text)")
                let fields = (reply.json["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String }
                #expect(fields == ["cursor"], "\(path)")
            }
            #expect(try await app.request(.get, "/healthz").status == .ok)
        }
    }
}
