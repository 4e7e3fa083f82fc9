import Cryptography
import Foundation
import HTTPTypes
import Logging
import NIOHTTP1
import Postgres
import SmsHubDomain
import SmsHubSimulator
import Synchronization
import TestSupport
import Testing

@testable import SmsHubApp

#if canImport(Glibc)
import Glibc
#endif

/// The real `smshub serve` under `ulimit -n 512`, its inbound slots held by idle connections, while
/// it dispatches sends to the Gateway, takes the reports back and delivers every change to eight slow
/// webhook endpoints: no descriptor runs out (`EMFILE`), and everything is sent and delivered.
@Suite(.serialized, .runsAlone, .tags(.slow), .timeLimit(.minutes(10))) struct DescriptorLimitTests {
    static let openFiles = 512

    @Test func noDescriptorRunsOutUnderInboundLoadDeliveriesAndGatewayCalls() async throws {
        try await withTestDatabase { database in
            let simulator = GatewaySimulator(accounts: [(name: "acme", password: "acme-password", balance: 1_000_000)])
            let receiver = WebhookReceiver()
            try await withLiveSimulator(simulator, webhooks: receiver, logLevel: .critical) { simBase in
                let admin = Hex.encode(SecureRandom.bytes(24))
                let server = try ServeProcess(
                    environment: [
                        "DATABASE_URL": database.appURL, "SMSHUB_ADMIN_TOKEN": admin,
                        "SMSHUB_MASTER_KEY": "fd:" + Data(SecureRandom.bytes(32)).base64EncodedString(), "LOG_LEVEL": "info",
                        "SMSHUB_HOST": "127.0.0.1", "SMSHUB_PORT": "0", "SMSHUB_EGRESS_ALLOW": "127.0.0.1/32", "SMSHUB_EGRESS_ALLOW_HTTP": "true",
                        "SMSHUB_PUBLIC_BASE_URL": "http://127.0.0.1:1",
                        // Every connection here comes from one address; the cap per address has its own test.
                        "SMSHUB_HTTP_MAX_CONNECTIONS_PER_ADDRESS": "0",
                    ],
                    openFiles: Self.openFiles
                )
                defer { server.stop() }
                let port = try await server.waitForPort()
                let hub = HubClient(base: "http://127.0.0.1:\(port)")
                let inbound = try #require(Self.budgeted("inbound", in: try server.log()), "the budget is logged")
                #expect(inbound < Self.openFiles)

                let (_, key) = try await hub.tenant("Descriptors", admin: admin)
                let gateway = try await hub.gatewayAccount(key: key, simBase: simBase, account: "acme", password: "acme-password")
                let urls = try #require(gateway["callback_urls"] as? [String: String])
                let statusPath = String(try #require(urls["status"]).dropFirst("http://127.0.0.1:1".count))
                await simulator.setPushURLs(account: "acme", status: hub.base + statusPath, replies: nil)
                // Slow endpoints: each keeps as many connections open as the service allows it.
                for n in 0..<8 {
                    let endpoint = try await hub.json(.POST, "/v1/webhook-endpoints", bearer: key, #"{"url":"\#(simBase)/sim/webhooks/fd\#(n)"}"#)
                    let text = try #require(endpoint["secret"] as? String)
                    let secret = try #require(WebhookSecret(text))
                    await receiver.configure("fd\(n)", secrets: [secret], behaviour: WebhookReceiver.Behaviour(delay: .milliseconds(50)))
                }

                // Every inbound slot but a few held by connections that never send a request.
                let held = Self.connect(port: port, count: inbound - 8)
                defer { for fd in held { close(fd) } }
                let peak = Mutex(0)
                let sampling = Task {
                    while !Task.isCancelled {
                        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(server.process.processIdentifier)/fd").count) ?? 0
                        peak.withLock { $0 = max($0, open) }
                        try? await Task.sleep(for: .milliseconds(50))
                    }
                }
                defer { sampling.cancel() }

                // Ten messages of ten numbers: ten Gateway calls, 100 pushed reports, and every change to
                // eight endpoints.
                for m in 0..<10 {
                    let numbers = (0..<10).map { "\"13800\(String(format: "%03d", m))\(String(format: "%02d", $0))\($0 % 6)\"" }.joined(
                        separator: ","
                    )
                    _ = try await hub.json(.POST, "/v1/messages", bearer: key, #"{"recipients":[\#(numbers)],"content":"【FD】\#(m)"}"#)
                }
                try await PGPool.scoped(.test(url: database.superuserURL, maxConnections: 1)) { pool in
                    var (open, undelivered, deliveries) = (-1, -1, -1)
                    _ = try await eventually(within: TestTimeouts.condition + .seconds(60), every: .milliseconds(500)) {
                        let row = try await pool.query(
                            """
                            SELECT (SELECT count(*) FROM message_recipients WHERE status <> 'delivered') AS open,
                                   (SELECT count(*) FROM webhook_deliveries WHERE state <> 'delivered') AS undelivered,
                                   (SELECT count(*) FROM webhook_deliveries) AS deliveries
                            """
                        ).first
                        open = try row?.decode("open", as: Int.self) ?? -1
                        undelivered = try row?.decode("undelivered", as: Int.self) ?? -1
                        deliveries = try row?.decode("deliveries", as: Int.self) ?? -1
                        return open == 0 && undelivered == 0 && deliveries > 0
                    }
                    #expect(open == 0, "\(open) recipients not delivered")
                    #expect(undelivered == 0 && deliveries >= 8 * 100, "\(undelivered) of \(deliveries) deliveries not made")
                }
                #expect(await simulator.allTasks().count == 10)
                let log = try server.log()
                for sign in ["EMFILE", "Too many open files", "errno: 24"] {
                    #expect(!log.contains(sign), "\(sign) in the log")
                }
                let observed = peak.withLock { $0 }
                #expect(observed >= held.count, "the service held the idle connections (\(observed) descriptors at most)")
                print("descriptors: limit \(Self.openFiles), inbound budget \(inbound), held \(held.count), peak open \(observed)")
            }
        }
    }

    /// A value of the "descriptor budget" log line.
    static func budgeted(_ name: String, in log: String) -> Int? {
        guard let line = log.split(separator: "\n").first(where: { $0.contains("descriptor budget") }),
            let range = line.range(of: "\(name)=")
        else { return nil }
        return Int(line[range.upperBound...].prefix(while: \.isNumber))
    }

    /// Connections that send nothing, opened without waiting (the service takes them as it can).
    static func connect(port: Int, count: Int) -> [Int32] {
        var fds: [Int32] = []
        for _ in 0..<max(0, count) {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { break }
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            fds.append(fd)
        }
        return fds
    }
}
