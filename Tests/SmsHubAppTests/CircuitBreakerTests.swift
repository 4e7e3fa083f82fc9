import Foundation
import HTTPTypes
import SmsHubDomain
import TestSupport
import Testing

@testable import SmsHubApp

@Suite(.tags(.slow), .timeLimit(.minutes(10))) struct CircuitBreakerTests {
    @Test func pausesGrowFromTheThresholdToTheCap() {
        let breaker = CircuitBreaker(threshold: 5, base: .seconds(30), cap: .seconds(600))
        #expect((1...4).allSatisfy { breaker.pause(afterFailures: $0) == nil })
        #expect(breaker.pause(afterFailures: 5) == .seconds(30))
        #expect(breaker.pause(afterFailures: 6) == .seconds(60))
        #expect(breaker.pause(afterFailures: 9) == .seconds(480))
        #expect(breaker.pause(afterFailures: 10) == .seconds(600))
        #expect(breaker.pause(afterFailures: Int.max) == .seconds(600))
    }

    /// An account whose calls keep failing is paused for sends and polls alike, says so on the account
    /// and in /metrics, and one good call clears it.
    @Test func anAccountThatKeepsFailingIsPausedAndRecovers() async throws {
        try await DispatcherTests().withSetup { setup in
            let id = setup.account.accountID.uuidString.lowercased()
            let patch = { (url: String) in
                try await setup.app.request(
                    .patch,
                    "/v1/provider-accounts/\(id)",
                    bearer: setup.account.key,
                    json: #"{"settings":{"base_url":"\#(url)"}}"#
                )
            }
            #expect(try await patch("http://127.0.0.1:1").status == .ok)
            // A short deadline: a refused connection is retried by the HTTP client until it passes.
            let poller = DispatcherTests().poller(setup, timeout: .seconds(1))
            #expect(try await poller.runOnce() == 0)  // three failed polls
            #expect(try await poller.runOnce() == 0)  // three more: past the threshold of five
            let account = try await setup.app.request(.get, "/v1/provider-accounts/\(id)", bearer: setup.account.key).json
            let outbound = try #require(account["outbound"] as? [String: Any])
            #expect(outbound["consecutive_failures"] as? Int == 6)
            // Refused at once, or (on a busy machine) still retrying the connection at the deadline.
            #expect(["unreachable", "timeout"].contains(outbound["last_failure"] as? String ?? ""))
            #expect(outbound["paused_until"] is String)
            let metrics = try await setup.app.request(.get, "/metrics").text
            #expect(metrics.contains("smshub_outbound_accounts_paused 1"))
            #expect(
                metrics.contains(#"smshub_outbound_calls_total{kind="balance",outcome="unreachable"}"#)
                    || metrics.contains(#"smshub_outbound_calls_total{kind="balance",outcome="timeout"}"#)
            )

            // Paused: nothing is polled or sent, whatever is due.
            _ = try await setup.send(["13800000001"])
            #expect(try await poller.runOnce() == 0)
            #expect(try await setup.dispatcher().runOnce() == 0)
            #expect(try await setup.app.rows("SELECT status FROM message_recipients") == [["status": "queued"]])

            // The pause ends; the gateway is back: the first good call clears the record.
            #expect(try await patch(setup.base).status == .ok)
            _ = try await setup.app.rows("UPDATE outbound_health SET paused_until = now() - interval '1 second' RETURNING 1")
            #expect(try await setup.dispatcher().runOnce() == 1)
            let healed = try await setup.app.request(.get, "/v1/provider-accounts/\(id)", bearer: setup.account.key).json
            #expect((healed["outbound"] as? [String: Any])?["consecutive_failures"] as? Int == 0)
            #expect(try await setup.app.request(.get, "/metrics").text.contains("smshub_outbound_accounts_paused 0"))
        }
    }
}
