import AsyncHTTPClient
import Cryptography
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOHTTP1
import SmsHubDomain
import SmsHubSimulator
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The real `smshub serve` at LOG_LEVEL=trace, taken through account creation and updates, a webhook
/// endpoint and its secret's rotation, a send the gateway accepts and reports (delivered as signed
/// webhooks), signed callbacks of each provider, a balance refresh and a token rotation: its whole log
/// is then searched for every secret the run used.
@Suite(.serialized, .runsAlone, .tags(.slow), .timeLimit(.minutes(10))) struct SecretLogTests {
    @Test func noLogLevelWritesASecret() async throws {
        try await withTestDatabase { database in
            let simulator = GatewaySimulator(accounts: [(name: "acme", password: "gw-password-5f1e", balance: 1000)])
            var quiet = Logger(label: "sim")
            quiet.logLevel = .critical
            let receiver = WebhookReceiver()
            let sim = Application(
                router: buildSimulatorRouter(simulator, webhooks: receiver),
                configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                logger: quiet
            )
            try await sim.live { simClient in
                let keyBytes = SecureRandom.bytes(32)
                let masterKey = "scan:" + Data(keyBytes).base64EncodedString()
                let admin = Hex.encode(SecureRandom.bytes(24))
                let server = try ServeProcess(environment: [
                    "DATABASE_URL": database.appURL, "SMSHUB_ADMIN_TOKEN": admin, "SMSHUB_MASTER_KEY": masterKey, "LOG_LEVEL": "trace",
                    "SMSHUB_HOST": "127.0.0.1", "SMSHUB_PORT": "0", "SMSHUB_EGRESS_ALLOW": "127.0.0.1/32", "SMSHUB_EGRESS_ALLOW_HTTP": "true",
                    "SMSHUB_PUBLIC_BASE_URL": "http://127.0.0.1:1",
                    // The peers are this test's simulator and receiver; their deadlines are not what the
                    // test is about, and a webhook attempt lost to a starved machine waits 5 minutes.
                    "SMSHUB_WEBHOOK_TIMEOUT_MS": TestTimeouts.milliseconds(TestTimeouts.outboundCall),
                    "SMSHUB_OUTBOUND_TIMEOUT_MS": TestTimeouts.milliseconds(TestTimeouts.outboundCall),
                ])
                defer { server.stop() }
                let port = try await server.waitForPort()
                let hub = HubClient(base: "http://127.0.0.1:\(port)")

                var secrets = [admin, masterKey, String(masterKey.dropFirst(5)), keyBytes.map(String.init).joined(separator: ", ")]
                let (_, key) = try await hub.tenant("Scan", admin: admin)
                secrets.append(key)

                let gatewayPassword = "gw-password-5f1e"
                let simBase = "http://127.0.0.1:\(try #require(simClient.port))"
                let gateway = try await hub.gatewayAccount(key: key, simBase: simBase, account: "acme", password: gatewayPassword)
                let engageSecret = "el-secret-" + Hex.encode(SecureRandom.bytes(8))
                let engage = try await hub.json(
                    .POST,
                    "/v1/provider-accounts",
                    bearer: key,
                    #"""
                    {"provider":"engagelab","name":"el","settings":{"app_key":"appkey1"},"credentials":{"app_secret":"\#(engageSecret)"}}
                    """#
                )
                let subhookKey = "subhook-" + Hex.encode(SecureRandom.bytes(8))
                let submail = try await hub.json(
                    .POST,
                    "/v1/provider-accounts",
                    bearer: key,
                    #"""
                    {"provider":"submail","name":"sm","settings":{"app_id":"12345"},"credentials":{"subhook_key":"\#(subhookKey)"}}
                    """#
                )
                secrets += [gatewayPassword, Digest.md5.hex(gatewayPassword), engageSecret, subhookKey]
                let urls = try [gateway, engage, submail].map { try #require($0["callback_urls"] as? [String: String]) }
                for set in urls { secrets += set.values.map { String($0.split(separator: "/").last ?? "") } }
                let gatewayID = try #require((gateway["account"] as? [String: Any])?["id"] as? String)
                _ = try await hub.json(
                    .PATCH,
                    "/v1/provider-accounts/\(gatewayID)",
                    bearer: key,
                    #"{"credentials":{"api_password":"\#(gatewayPassword)"}}"#
                )

                // A webhook endpoint at the simulator's receiver, its secret rotated: both secrets sign what follows.
                let endpoint = try await hub.json(.POST, "/v1/webhook-endpoints", bearer: key, #"{"url":"\#(simBase)/sim/webhooks/scan"}"#)
                let endpointID = try #require(endpoint["id"] as? String)
                let firstSecret = try #require(endpoint["secret"] as? String)
                let rotatedSecret = try #require(
                    try await hub.json(.POST, "/v1/webhook-endpoints/\(endpointID)/secret/rotate", bearer: key, "")["secret"] as? String
                )
                await receiver.configure("scan", secrets: [try #require(WebhookSecret(rotatedSecret))], behaviour: nil)
                secrets += [firstSecret, rotatedSecret, String(firstSecret.dropFirst(6)), String(rotatedSecret.dropFirst(6))]

                // Sent, dispatched by the running service, its report pushed back to the status URL.
                let statusPath = String(try #require(urls[0]["status"]).dropFirst("http://127.0.0.1:1".count))
                await simulator.setPushURLs(account: "acme", status: hub.base + statusPath, replies: nil)
                _ = try await hub.json(.POST, "/v1/messages", bearer: key, #"{"recipients":["13800000001"],"content":"【Scan】hi"}"#)
                #expect(try await eventually { await !simulator.allTasks().isEmpty })
                #expect(await simulator.allTasks().count == 1, "the service dispatched the send")

                // Signed callbacks.
                let timestamp = String(Int64(Date().timeIntervalSince1970 * 1000))
                let signature = EngageLabSignature.expected(timestamp: timestamp, appKey: "appkey1", secret: engageSecret)
                let eventsPath = String(try #require(urls[1]["events"]).dropFirst("http://127.0.0.1:1".count))
                let el = try await hub.raw(
                    .POST,
                    hub.base + eventsPath,
                    body: EngageLabSeeds.delivered,
                    headers: [
                        "X-SMSHook-Signature": signature, "X-SMSHook-Timestamp": timestamp, "X-SMSHook-AppKey": "appkey1",
                        "Content-Type": "application/json",
                    ]
                )
                #expect(el == 200)
                let token = Hex.encode(SecureRandom.bytes(16))
                let subSignature = SubmailSignature.expected(token: token, key: subhookKey)
                let subPath = String(try #require(urls[2].values.first).dropFirst("http://127.0.0.1:1".count))
                let body =
                    #"{"events":"delivered","address":"13812345678","send_id":"s1","app":"12345","timestamp":"1415014855","token":"\#(token)","signature":"\#(subSignature)"}"#
                #expect(try await hub.raw(.POST, hub.base + subPath, body: body, headers: ["Content-Type": "application/json"]) == 200)
                secrets += [signature, token, subSignature]

                _ = try await hub.json(.POST, "/v1/provider-accounts/\(gatewayID)/balance/refresh", bearer: key, "")

                // The service's deliverer signed the changes of the send with both secrets. Waited for
                // before the callback token is rotated: the gateway's push of the report (made once, in the
                // background) must not race the rotation that retires the URL it was given.
                let delivered = try await eventually { await receiver.summary("scan").verified >= 2 }
                if !delivered {
                    let lines = try server.log().split(separator: "\n").filter {
                        $0.contains("webhook") || $0.contains("callback") || $0.contains("dispatch")
                    }
                    Issue.record("webhooks were not delivered, signed: \(await receiver.summary("scan").total) received; \(lines.suffix(20))")
                }
                secrets += await receiver.summary("scan").recent.map(\.signature)
                let rotated = try await hub.json(.POST, "/v1/provider-accounts/\(gatewayID)/callback-token/rotate", bearer: key, "")
                secrets += (rotated["callback_urls"] as? [String: String] ?? [:]).values.map { String($0.split(separator: "/").last ?? "") }

                server.stop()
                let log = try server.log()
                #expect(log.contains(" trace "), "the log is at trace level")
                #expect(log.contains("provider account created"))
                for secret in secrets where secret.count >= 8 {
                    #expect(!log.contains(secret), "a secret (\(secret.prefix(3))…) is in the log")
                }
            }
        }
    }
}
