import AsyncHTTPClient
import Cryptography
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOHTTP1
import Postgres
import SmsHubDomain
import SmsHubRepository
import SmsHubSimulator
import Synchronization
import TestSupport
import Testing

@testable import SmsHubApp

#if canImport(Glibc)
import Glibc
#endif

/// The outbox under faults (issue 19): sends and their reports flow through the real `smshub serve`
/// with an endpoint subscribed to every change, while the service and then PostgreSQL itself are
/// killed with SIGKILL and started again. Afterwards every committed change has reached the receiver
/// (at least once), and nothing reached it that was not committed.
@Suite(.serialized, .runsAlone, .tags(.slow), .timeLimit(.minutes(10))) struct WebhookCrashTests {
    @Test func everyCommittedChangeIsDeliveredAcrossKillsOfTheServiceAndTheDatabase() async throws {
        let cluster = try ScratchCluster.start()
        defer { cluster.stop() }
        let superuser = "postgresql://postgres@127.0.0.1:\(cluster.port)"
        let (database, _) = try await cluster.serviceDatabase()

        let simulator = GatewaySimulator(accounts: [(name: "acme", password: "acme-password", balance: 1_000_000)])
        let receiver = WebhookReceiver()
        var quiet = Logger(label: "sim")
        quiet.logLevel = .critical
        let sim = Application(
            router: buildSimulatorRouter(simulator, webhooks: receiver),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            logger: quiet
        )
        try await sim.live { simClient in
            let simBase = "http://127.0.0.1:\(try #require(simClient.port))"
            let port = try ScratchCluster.freePort()
            let admin = Hex.encode(SecureRandom.bytes(24))
            let environment = [
                "DATABASE_URL": database.appURL, "SMSHUB_ADMIN_TOKEN": admin,
                "SMSHUB_MASTER_KEY": "crash:" + Data(SecureRandom.bytes(32)).base64EncodedString(), "LOG_LEVEL": "notice",
                "SMSHUB_HOST": "127.0.0.1", "SMSHUB_PORT": "\(port)", "SMSHUB_EGRESS_ALLOW": "127.0.0.1/32", "SMSHUB_EGRESS_ALLOW_HTTP": "true",
                "SMSHUB_PUBLIC_BASE_URL": "http://127.0.0.1:\(port)",
                // A delivery in flight when the service is killed is sent again once its lease lapses:
                // a short deadline keeps that lease (8 rounds of attempts and 10 s) short for the test.
                "SMSHUB_WEBHOOK_TIMEOUT_MS": "2000",
            ]
            var server = try ServeProcess(environment: environment)
            defer { server.stop() }
            _ = try await server.waitForPort()
            let hub = HubClient(base: "http://127.0.0.1:\(port)")

            let (_, key) = try await hub.tenant("Crash", admin: admin)
            let gateway = try await hub.gatewayAccount(
                key: key,
                simBase: simBase,
                account: "acme",
                password: "acme-password",
                extraSettings: #","validity_seconds":"45""#
            )
            let urls = try #require(gateway["callback_urls"] as? [String: String])
            let path = { (url: String) in String(url.dropFirst("http://127.0.0.1:\(port)".count)) }
            await simulator.setPushURLs(
                account: "acme",
                status: hub.base + path(try #require(urls["status"])),
                replies: hub.base + path(try #require(urls["replies"]))
            )
            let endpoint = try await hub.json(.POST, "/v1/webhook-endpoints", bearer: key, #"{"url":"\#(simBase)/sim/webhooks/crash"}"#)
            let secret = try #require(endpoint["secret"] as? String)
            await receiver.configure("crash", secrets: [try #require(WebhookSecret(secret))], behaviour: nil)

            // The load: messages of five numbers (each reported by the simulator), one every 40 ms, for
            // as long as the faults last; refusals while the service or the database is down are expected.
            let stop = Mutex(false)
            let accepted = CallCounter()
            let load = Task {
                var sequence = 0
                while !stop.withLock({ $0 }) {
                    sequence += 1
                    // Last digits 0-7: every number gets a final report (8 and 9 are never or late reported).
                    let numbers = (0..<5).map { "\"138\(String(format: "%05d", sequence % 100_000))\($0 % 8)\($0)\"" }.joined(separator: ",")
                    if (try? await hub.json(.POST, "/v1/messages", bearer: key, #"{"recipients":[\#(numbers)],"content":"【Crash】\#(sequence)"}"#))
                        != nil
                    {
                        accepted.tick()
                    }
                    // The pace of the load (a message every 40 ms), not a wait for time to pass.
                    try? await Task.sleep(for: .milliseconds(40))
                }
            }
            // Each fault strikes once the load has made progress since the last: messages accepted and
            // webhooks delivered, so there is work in flight to lose.
            func progressed(by messages: Int) async throws {
                let (base, delivered) = (accepted.value, await receiver.summary("crash").total)
                let moved = try await eventually(every: .milliseconds(100)) {
                    let deliveries = await receiver.summary("crash").total
                    return accepted.value >= base + messages && deliveries > delivered
                }
                #expect(moved, "the load made progress (\(accepted.value) messages accepted)")
            }

            try await progressed(by: 40)
            kill(server.process.processIdentifier, SIGKILL)
            server.process.waitUntilExit()
            server = try ServeProcess(environment: environment)
            _ = try await server.waitForPort()
            try await progressed(by: 40)
            try cluster.signalAll(SIGKILL)
            // The killed processes take a moment to be gone (their shared memory with them).
            let restarted = try await eventually(every: .milliseconds(500)) { (try? cluster.startAgain()) != nil }
            #expect(restarted, "PostgreSQL starts again after SIGKILL (crash recovery)")
            try await progressed(by: 40)
            stop.withLock { $0 = true }
            await load.value
            let total = accepted.value
            #expect(total > 10, "the load ran")

            // Drained: every recipient final and no delivery pending. Pushes lost while the service was
            // down come by the pulls; a report pulled but not stored when the service was killed is gone
            // (the gateway hands each out once), and its recipient expires when its 45 s window ends.
            try await PGPool.scoped(.test(url: "\(superuser)/smshub", maxConnections: 1)) { pool in
                var (open, undelivered) = (-1, -1)
                // The expiry window (45 s) comes first, then the deliveries it causes.
                _ = try await eventually(within: TestTimeouts.condition + .seconds(60), every: .milliseconds(500)) {
                    let row = try await pool.query(
                        """
                        SELECT (SELECT count(*) FROM message_recipients WHERE status_rank(status) < 4) AS open,
                               (SELECT count(*) FROM webhook_deliveries WHERE state <> 'delivered') AS undelivered
                        """
                    ).first
                    (open, undelivered) = (try row?.decode("open", as: Int.self) ?? -1, try row?.decode("undelivered", as: Int.self) ?? -1)
                    return open == 0 && undelivered == 0
                }
                #expect(open == 0 && undelivered == 0, "\(open) recipients not final, \(undelivered) deliveries not made")

                let recipients = try await pool.query("SELECT id, status FROM message_recipients").rows.map {
                    (try $0.decode("id", as: UUID.self), try $0.decode("status", as: String.self))
                }
                let events = try await pool.query(
                    """
                    SELECT id, data->>'recipient_id' AS recipient, data->>'previous_status' AS previous, data->>'status' AS status
                    FROM webhook_events WHERE type = 'message.status_changed'
                    """
                ).rows.map {
                    (
                        id: try $0.decode("id", as: UUID.self), recipient: try $0.decode("recipient", as: String.self),
                        previous: try $0.decode("previous", as: String.self), status: try $0.decode("status", as: String.self)
                    )
                }
                let committed = Set(events.map { WebhookPayload.id($0.id) })
                let received = await receiver.ids("crash")
                let summary = await receiver.summary("crash")
                print(
                    """
                    webhook crash test: \(total) messages accepted, \(recipients.count) recipients, \(events.count) committed changes, \
                    \(summary.total) deliveries received (\(summary.unique) distinct, \(summary.total - summary.unique) repeats), \
                    \(summary.verified) verified
                    """
                )
                #expect(committed.isSubset(of: received), "\(committed.subtracting(received).count) committed changes never delivered")
                #expect(received.isSubset(of: committed), "\(received.subtracting(committed).count) deliveries of changes never committed")
                #expect(summary.verified == summary.total)

                // Every recipient's changes chain from `queued` to its final state: none is missing.
                var moves: [String: [String: String]] = [:]
                for event in events { moves[event.recipient, default: [:]][event.previous] = event.status }
                for (id, status) in recipients {
                    var state = "queued"
                    var steps = 0
                    while let next = moves[id.uuidString.lowercased()]?[state], steps < 8 {
                        state = next
                        steps += 1
                    }
                    #expect(state == status, "recipient \(id): its delivered changes end at \(state), it is \(status)")
                }
            }
        }
    }
}
