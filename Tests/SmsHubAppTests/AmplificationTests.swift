import Foundation
import HTTPTypes
import SmsHubDomain
import TestSupport
import Testing

/// Signed callbacks of every provider shaped to multiply themselves: the most recipients a body can
/// hold, one large member the parser does not know, long arrays, many tiny fields. What one request
/// stores is bounded by what it carried (docs/decisions/0014-raw-payloads-bounded-by-the-body.md).
@Suite(.tags(.slow), .timeLimit(.minutes(10))) struct AmplificationTests {
    static let bodyLimit = 1024 * 1024
    static let batch = "1679392394031_15_17153_881599_c1fjwa"

    /// The raw JSON stored by everything the hub has taken in so far, as PostgreSQL writes it, and
    /// the number of rows holding it.
    static func stored(_ app: AppHarness) async throws -> (bytes: Int, rows: Int) {
        let tables = ["status_events", "replies", "review_events", "callback_receipts"]
        let sum = tables.map { "(SELECT coalesce(sum(octet_length(raw::text)), 0) FROM \($0))" }.joined(separator: " + ")
        let count = tables.map { "(SELECT count(*) FROM \($0))" }.joined(separator: " + ")
        let row = try await app.rows("SELECT (\(sum))::text AS bytes, (\(count))::text AS rows")[0]
        return (Int((row["bytes"] ?? nil) ?? "") ?? -1, Int((row["rows"] ?? nil) ?? "") ?? -1)
    }

    static func expectBounded(_ app: AppHarness, received: Int, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let (bytes, rows) = try await self.stored(app)
        #expect(bytes >= 0 && rows >= 1, sourceLocation: sourceLocation)
        let allowed = 2 * received + 1_280 * rows
        #expect(bytes <= allowed, "\(bytes) raw bytes in \(rows) rows for a \(received)-byte body", sourceLocation: sourceLocation)
    }

    /// A `target` batch of `count` recipients whose envelope also carries `filler` in a member the
    /// parser does not know.
    static func target(count: Int, filler: Int = 0) -> String {
        let numbers = (0..<count).map { "\"+86188\(10_000_000 + $0)\"" }
        let ids = (0..<count).map { "\"\(batch)$+86188\(10_000_000 + $0)\"" }
        let unknown = filler > 0 ? #""padding":"\#(String(repeating: "x", count: filler))","# : ""
        let data = #"{"message":"successfully request","to":[\#(numbers.joined(separator: ","))],"sms_ids":[\#(ids.joined(separator: ","))]}"#
        let status = #"{"message_status":"target","status_data":\#(data)}"#
        return #"{"server":"sms","message_id":"\#(batch)","itime":1679392394061,\#(unknown)"status":\#(status)}"#
    }

    @Test func engageLabBatchWithALargeUnknownMemberKeepsItOnce() async throws {
        try await withApp { app in
            let engage = try await app.engageLab()
            let skeleton = Self.target(count: EngageLabCallbackParser.maxBatch, filler: 1).utf8.count
            let body = Self.target(count: EngageLabCallbackParser.maxBatch, filler: Self.bodyLimit - skeleton + 1)
            #expect(body.utf8.count == Self.bodyLimit)
            let reply = try await app.postEngageLab(engage, body)
            #expect(reply.status == .ok, "\(reply.text.prefix(300))")
            #expect(try await app.count("status_events") == EngageLabCallbackParser.maxBatch)
            try await Self.expectBounded(app, received: body.utf8.count)
            let holding = try await app.rows("SELECT count(*)::text AS n FROM status_events WHERE raw ? 'padding'")[0]["n"]
            #expect(holding == "1", "the envelope is kept once, with the first recipient")
            let other = try await app.rows(
                "SELECT raw::text AS raw FROM status_events WHERE provider_message_id = '\(Self.batch)$+8618810000001'"
            )[0]["raw"]
            #expect(other??.contains("+8618810000001") == true && other??.contains("padding") == false, "\(String(describing: other))")
        }
    }

    @Test func engageLabBatchBeyondTheExpandedLimitIsKeptWholeOnce() async throws {
        try await withApp { app in
            let engage = try await app.engageLab()
            // The shortest ids, without `to` (each id names its recipient): as many as 1 MiB holds.
            let id = { (n: Int) in "\"b$+86138\(10_000_000 + n)\"" }
            let head = #"{"message_id":"b","status":{"message_status":"target","status_data":{"sms_ids":["#
            let count = (Self.bodyLimit - head.utf8.count - 4) / (id(0).utf8.count + 1)
            let body = head + (0..<count).map(id).joined(separator: ",") + "]}}}"
            #expect(body.utf8.count <= Self.bodyLimit && count > 4 * EngageLabCallbackParser.maxBatch)
            let reply = try await app.postEngageLab(engage, body)
            #expect(reply.status == .ok, "\(reply.text.prefix(300))")
            #expect(try await app.count("status_events") == 0)
            let receipt = try await app.rows("SELECT outcome, reason FROM callback_receipts")
            #expect(receipt.count == 1)
            #expect(receipt.first?["outcome"] == "unrecognised")
            #expect(receipt.first?["reason"]??.contains("batch of \(count) recipients") == true, "\(receipt)")
            try await Self.expectBounded(app, received: body.utf8.count)
        }
    }

    @Test func engageLabLongArraysAndDeepNestingAreBoundedOrRefused() async throws {
        try await withApp { app in
            let engage = try await app.engageLab()
            // `to` far longer than `sms_ids`, and an unknown array of numbers in the status data.
            let numbers = (0..<40_000).map { "\"+86188\(10_000_000 + $0)\"" }.joined(separator: ",")
            let zeros = Array(repeating: "0", count: 100_000).joined(separator: ",")
            let ids = "\"\(Self.batch)$+8618810000000\",\"\(Self.batch)$+8618810000001\""
            let long =
                #"{"message_id":"\#(Self.batch)","itime":1679392394061,"status":{"message_status":"sent","status_data":{"zeros":[\#(zeros)],"to":[\#(numbers)],"sms_ids":[\#(ids)]}}}"#
            #expect(long.utf8.count <= Self.bodyLimit)
            #expect(try await app.postEngageLab(engage, long).status == .ok)
            #expect(try await app.count("status_events") == 2)
            try await Self.expectBounded(app, received: long.utf8.count)

            let nested = String(repeating: "[", count: 40) + String(repeating: "]", count: 40)
            let deep = #"{"status":{"message_status":"sent","status_data":{"x":"# + nested + "}}}"
            expectProblem(try await app.postEngageLab(engage, deep), .badRequest, code: "invalid_body")
            #expect(try await app.count("status_events") == 2)
        }
    }

    @Test func huaweiBatchOfPaddedReportsStoresEachOnce() async throws {
        try await withApp { app in
            let account = try await app.makeAccount("huawei")
            let padding = Array(repeating: "1", count: (Self.bodyLimit / HuaweiCallbackParser.maxBatch - 200) / 2).joined(separator: ",")
            let reports = (0..<HuaweiCallbackParser.maxBatch).map {
                #"{"smsMsgId":"m-\#($0)","status":"DELIVRD","updateTime":"2018-04-13T06:31:46Z","extra":[\#(padding)]}"#
            }
            let body = #"{"statusReportList":[\#(reports.joined(separator: ","))]}"#
            #expect(body.utf8.count <= Self.bodyLimit)
            #expect(try await app.post(account.path("status"), body: body, contentType: "application/json").status == .ok)
            #expect(try await app.count("status_events") == HuaweiCallbackParser.maxBatch)
            try await Self.expectBounded(app, received: body.utf8.count)
        }
    }

    @Test func formsOfManyTinyFieldsOrControlCharactersAreRefused() async throws {
        try await withApp { app in
            let account = try await app.makeAccount("huawei")
            let report = "smsMsgId=m-1&status=DELIVRD&updateTime=2018-04-13T06%3A31%3A46Z"
            let many = report + (0..<FormBody.maxFields).map { "&f\($0)=" }.joined()
            expectProblem(
                try await app.post(account.path("status"), body: many, contentType: "application/x-www-form-urlencoded"),
                .badRequest,
                code: "invalid_body"
            )
            let controls = report + "&note=" + String(repeating: "%01", count: 1000)
            expectProblem(
                try await app.post(account.path("status"), body: controls, contentType: "application/x-www-form-urlencoded"),
                .badRequest,
                code: "invalid_body"
            )
            #expect(try await app.count("status_events") == 0)

            // The largest value a form can carry, every byte one that JSON escapes.
            let quoted = report + "&note=" + String(repeating: "%22", count: (Self.bodyLimit - report.utf8.count - 6) / 3)
            #expect(try await app.post(account.path("status"), body: quoted, contentType: "application/x-www-form-urlencoded").status == .ok)
            try await Self.expectBounded(app, received: quoted.utf8.count)
        }
    }

    @Test func submailEventWithALargeUnknownMemberInEachEncoding() async throws {
        try await withApp { app in
            let account = try await app.submail()
            let filler = String(repeating: "\\\"", count: Self.bodyLimit / 2 - 1_000)
            let json = SubmailSeeds.sending.replacingOccurrences(of: #""tag":"xxx""#, with: #""tag":"\#(filler)""#)
            #expect(json.utf8.count <= Self.bodyLimit)
            #expect(try await app.post(account.path("events"), body: json, contentType: "application/json").status == .ok)
            try await Self.expectBounded(app, received: json.utf8.count)

            let boundary = "b0undary"
            let parts = [
                ("events", "delivered"), ("address", "13812345678"), ("send_id", "093c0a7df143c087d6cba9cdf0cf3738"),
                ("token", SubmailSeeds.token), ("signature", SubmailSeeds.signature), ("timestamp", "1415014855"),
                ("tag", String(repeating: "\"", count: Self.bodyLimit - 2_000)),
            ]
            let multipart =
                parts.map { "--\(boundary)\r\nContent-Disposition: form-data; name=\"\($0.0)\"\r\n\r\n\($0.1)\r\n" }.joined() + "--\(boundary)--\r\n"
            #expect(multipart.utf8.count <= Self.bodyLimit)
            let reply = try await app.post(account.path("events"), body: multipart, contentType: "multipart/form-data; boundary=\(boundary)")
            #expect(reply.status == .ok, "\(reply.text)")
            try await Self.expectBounded(app, received: json.utf8.count + multipart.utf8.count)
        }
    }
}
