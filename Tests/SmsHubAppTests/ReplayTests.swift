import Foundation
import HTTPTypes
import SmsHubDomain
import TestSupport
import Testing

/// A captured callback presented again (docs/decisions/0015-replayed-callbacks.md): EngageLab's
/// signature covers its timestamp, so an old one is refused; SUBMAIL signs only a token, so a token is
/// accepted with the event it came with and no other.
@Suite(.tags(.slow), .timeLimit(.minutes(10))) struct ReplayTests {
    static let delivered =
        #"{"message_id":"b$+8618871186627","to":"+8618871186627","itime":1679392394061,"status":{"message_status":"delivered","status_data":{"sms_id":"b$+8618871186627","receipt_time":"2023-03-21 17:53:14","msg_count":1}}}"#

    static func millis(_ date: Date) -> String { String(Int64(date.timeIntervalSince1970 * 1000)) }

    @Test func engageLabRequestsOutsideTheWindowAreRefusedAndRecorded() async throws {
        try await withApp { app in
            let engage = try await app.engageLab()
            let now = Date()
            for (stamp, why) in [
                (Self.millis(now.addingTimeInterval(-EngageLabSignature.maximumAge - 60)), "more than 24 hours old"),
                (Self.millis(now.addingTimeInterval(EngageLabSignature.maximumSkew + 60)), "ahead"),
                ("not-a-time", "not epoch milliseconds"),
            ] {
                let reply = try await app.postEngageLab(engage, Self.delivered, headers: AppHarness.engageLabHeaders(timestamp: stamp))
                expectProblem(reply, .unauthorized, code: "invalid_signature")
                #expect(reply.text.contains(why), "\(reply.text)")
            }
            #expect(try await app.count("status_events") == 0)
            #expect(try await app.rows("SELECT count(*)::text AS n FROM callback_receipts WHERE outcome = 'rejected'")[0]["n"] == "3")

            // Late but inside the window, and in seconds: accepted; the same request again is a duplicate.
            let late = AppHarness.engageLabHeaders(timestamp: Self.millis(now.addingTimeInterval(-EngageLabSignature.maximumAge + 600)))
            #expect(try await app.postEngageLab(engage, Self.delivered, headers: late).status == .ok)
            #expect(try await app.postEngageLab(engage, Self.delivered, headers: late).status == .ok)
            let seconds = AppHarness.engageLabHeaders(timestamp: String(Int64(now.timeIntervalSince1970)))
            #expect(try await app.postEngageLab(engage, Self.delivered, headers: seconds).status == .ok)
            #expect(try await app.count("status_events") == 1)
        }
    }

    @Test func aSubmailTokenSignsOneEventOnly() async throws {
        try await withApp { app in
            let account = try await app.submail()
            let first = SubmailSeeds.seedRequest
            #expect(try await app.post(account.path("events"), body: first, contentType: "application/json").status == .ok)
            // A retry of the same event, in another encoding: a duplicate, acknowledged.
            let form = CallbackIngestionTests.form(first)
            #expect(try await app.post(account.path("events"), body: form, contentType: "application/x-www-form-urlencoded").status == .ok)
            #expect(try await app.count("status_events") == 1)

            // The captured token and signature on another event: refused and recorded, nothing stored.
            let forged = first.replacingOccurrences(of: #""events":"request""#, with: #""events":"delivered""#)
            let reply = try await app.post(account.path("events"), body: forged, contentType: "application/json")
            expectProblem(reply, .unauthorized, code: "invalid_signature")
            #expect(reply.text.contains("token was already used"), "\(reply.text)")
            #expect(try await app.count("status_events") == 1)
            #expect(try await app.rows("SELECT outcome FROM callback_receipts") == [["outcome": "rejected"]])

            // Another account of the same tenant has its own memory: the token is new there.
            let other = try await app.makeAccount(
                "submail",
                settings: ["app_id": "12345"],
                credentials: ["subhook_key": "my_subhook_key"],
                tenant: (account.tenantID.uuidString.lowercased(), account.key)
            )
            #expect(try await app.post(other.path("events"), body: forged, contentType: "application/json").status == .ok)
            #expect(try await app.count("callback_tokens") == 2)
        }
    }

    /// Concurrent deliveries of one token: with the same event all are acknowledged; the token
    /// then refuses another event.
    @Test func concurrentClaimsOfOneTokenAgree() async throws {
        try await withApp { app in
            let account = try await app.submail()
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await app.post(account.path("events"), body: SubmailSeeds.seedRequest, contentType: "application/json").status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == .ok }, "\(statuses)")
            #expect(try await app.count("callback_tokens") == 1)
            #expect(try await app.count("status_events") == 1)
        }
    }
}
