import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SmsHubDomain
import SmsHubSimulator
import TestSupport
import Testing

@testable import SmsHubApp
@testable import SmsHubRepository

/// A "gateway" that answers 200 and then trickles one byte a second, forever: it holds every call
/// until the caller's deadline. Counts the calls it is holding.
actor TrickleGateway {
    private(set) var open = 0
    private(set) var received = 0
    /// Calls that ended (the caller's deadline passed and it hung up).
    private(set) var ended = 0

    func opened() {
        self.open += 1
        self.received += 1
    }

    func closed() {
        self.open -= 1
        self.ended += 1
    }

    nonisolated func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.post("api/v1/:call") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "application/json"],
                body: ResponseBody { writer in
                    await self.opened()
                    do {
                        while true {
                            try await writer.write(ByteBuffer(string: " "))
                            try await Task.sleep(for: .seconds(1))
                        }
                    } catch {
                        await self.closed()
                        throw error
                    }
                }
            )
        }
        return router
    }
}

/// One tenant's hanging gateway delays only that tenant: another tenant's send is dispatched and its
/// reports pulled while the hanging calls are still held open.
@Suite(.tags(.slow), .timeLimit(.minutes(10))) struct OutboundIsolationTests {
    static let recipients = (0..<1000).map { String(format: "139%07d0", $0) }

    @Test func aTricklingGatewayDelaysOnlyItsOwnTenant() async throws {
        let trickle = TrickleGateway()
        var logger = Logger(label: "trickle")
        logger.logLevel = .critical
        let server = Application(router: trickle.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
        try await server.live { trickleClient in
            try await DispatcherTests().withSetup { setup in
                let slow = try await setup.app.makeAccount(
                    "gateway",
                    settings: ["base_url": "http://127.0.0.1:\(try #require(trickleClient.port))", "account": "slow"],
                    credentials: ["api_password": "x"]
                )
                _ = try await setup.app.request(
                    .patch,
                    "/v1/provider-accounts/\(slow.accountID.uuidString.lowercased())",
                    bearer: slow.key,
                    json: #"{"is_default":true}"#
                )
                let services = self.services(setup, deadline: .seconds(20))
                let running = Task { await services.run() }
                defer { running.cancel() }

                // The slow tenant's sends and polls are hanging first.
                for n in 0..<3 {
                    let reply = try await setup.app.request(
                        .post,
                        "/v1/messages",
                        bearer: slow.key,
                        json: #"{"recipients":["1380000000\#(n)"],"content":"【Slow】x"}"#
                    )
                    #expect(reply.status == .accepted)
                }
                #expect(try await eventually { await trickle.open >= 4 }, "sends and polls of the slow tenant are held")

                let started = ContinuousClock.now
                _ = try await setup.send(Self.recipients)
                let done = try await eventually {
                    try await setup.app.rows("SELECT count(*) AS n FROM message_recipients WHERE status = 'delivered'")[0]["n"] == "1000"
                }
                let elapsed = ContinuousClock.now - started
                #expect(done, "the other tenant's 1,000 recipients reached their final state")
                #expect(await trickle.ended == 0, "before any of the slow tenant's held calls reached its deadline")
                let slowStates = try await setup.app.rows(
                    "SELECT DISTINCT r.status FROM message_recipients r JOIN messages m ON m.id = r.message_id WHERE m.tenant_id = '\(slow.tenantID.uuidString.lowercased())'"
                )
                #expect(slowStates.allSatisfy { $0["status"] != "submitted" && $0["status"] != "delivered" })
                print("outbound-isolation: neighbour=trickling seconds=\(Self.seconds(elapsed))")
            }
        }
    }

    /// The same send with no neighbour, for the figure beside the one above (bench/outbound-isolation).
    @Test func theSameSendWithoutANeighbour() async throws {
        try await DispatcherTests().withSetup { setup in
            let services = self.services(setup, deadline: .seconds(20))
            let running = Task { await services.run() }
            defer { running.cancel() }
            let started = ContinuousClock.now
            _ = try await setup.send(Self.recipients)
            #expect(
                try await eventually {
                    try await setup.app.rows("SELECT count(*) AS n FROM message_recipients WHERE status = 'delivered'")[0]["n"] == "1000"
                }
            )
            print("outbound-isolation: neighbour=none seconds=\(Self.seconds(ContinuousClock.now - started))")
        }
    }

    struct Services {
        var dispatcher: Dispatcher
        var poller: GatewayPoller

        func run() async {
            async let dispatching: Void? = try? self.dispatcher.run()
            async let polling: Void? = try? self.poller.run()
            _ = await (dispatching, polling)
        }
    }

    func services(_ setup: DispatcherTests.Setup, deadline: Duration) -> Services {
        let caller = setup.app.caller(timeout: deadline)
        var dispatcher = setup.dispatcher()
        dispatcher = Dispatcher(
            repository: dispatcher.repository,
            accounts: dispatcher.accounts,
            caller: caller,
            keyring: testKeyring,
            logger: Self.quiet,
            interval: .milliseconds(100)
        )
        let poller = GatewayPoller(
            polls: PostgresPollRepository(database: Database(pool: setup.app.pool)),
            accounts: PostgresProviderAccountRepository(database: Database(pool: setup.app.pool)),
            events: PostgresEventStore(database: Database(pool: setup.app.pool)),
            caller: caller,
            keyring: testKeyring,
            logger: Self.quiet,
            intervals: [.report: .milliseconds(200), .mo: .seconds(1), .balance: .seconds(60)],
            tick: .milliseconds(100)
        )
        return Services(dispatcher: dispatcher, poller: poller)
    }

    static func seconds(_ duration: Duration) -> String {
        String(format: "%.3f", Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
    }

    static var quiet: Logger {
        var logger = Logger(label: "isolation.test")
        logger.logLevel = .critical
        return logger
    }
}
