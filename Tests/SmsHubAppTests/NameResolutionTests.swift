import Foundation
import HTTPTypes
import Logging
import NIOCore
import SmsHubDomain
import TestSupport
import Testing

@testable import SmsHubApp
@testable import SmsHubRepository

/// The hub's own resolver against a name server of the test's own on loopback (DNSStub): answers
/// cached and shared, definite and transient failures told apart, and one tenant's names that never
/// answer holding up nobody else.
@Suite(.tags(.slow), .timeLimit(.minutes(10))) struct NameResolutionTests {
    static let loopback: [UInt8] = [127, 0, 0, 1]

    static func resolver(_ stub: DNSStub, timeout: Duration = .milliseconds(800), perTenant: Int = 4) throws -> NameResolver {
        var settings = NameResolver.Settings(servers: [try SocketAddress(ipAddress: "127.0.0.1", port: stub.port)], timeout: timeout)
        settings.perTenant = perTenant
        return NameResolver(settings: settings, hosts: HostsFile(text: "127.0.0.1 localhost fixed.test\n# comment\n::1 localhost"))
    }

    @Test func answersAreCachedSharedAndClassified() async throws {
        let stub = try await DNSStub(table: ["gw.good.test": Self.loopback], silent: [".silent.test"], failing: [".failing.test"])
        defer { Task { await stub.stop() } }
        let names = try Self.resolver(stub)
        let tenant = UUID()

        #expect(await names.addresses(of: "GW.good.test.", tenant: tenant) == .success([.v4(0x7f00_0001)]))
        #expect(await names.addresses(of: "gw.good.test", tenant: tenant) == .success([.v4(0x7f00_0001)]))
        #expect(stub.queries(for: "gw.good.test") == 2, "one A and one AAAA query; the second lookup came from the cache")

        // Ten callers at once share one exchange.
        stub.set("shared.good.test", Self.loopback)
        let results = await withTaskGroup(of: Result<[IPAddress], NameResolver.Failure>.self) { group in
            for _ in 0..<10 { group.addTask { await names.addresses(of: "shared.good.test", tenant: UUID()) } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.allSatisfy { $0 == .success([.v4(0x7f00_0001)]) })
        #expect(stub.queries(for: "shared.good.test") == 2)

        #expect(await names.addresses(of: "missing.good.test", tenant: tenant) == .failure(.notFound))
        #expect(await names.addresses(of: "x.failing.test", tenant: tenant) == .failure(.temporary))
        #expect(await names.addresses(of: "x.silent.test", tenant: tenant) == .failure(.temporary))
        #expect(await names.addresses(of: "fixed.test", tenant: tenant) == .success([.v4(0x7f00_0001)]), "/etc/hosts entries need no server")
        #expect(stub.queries(for: "fixed.test") == 0)
        #expect(await names.addresses(of: "bad..name", tenant: tenant) == .failure(.notFound))
        #expect(await names.addresses(of: String(repeating: "a", count: 64) + ".test", tenant: tenant) == .failure(.notFound))
    }

    /// A tenant whose names never answer holds at most its own share of lookups: its next lookup
    /// fails at once (and its call is retried later), while another tenant's lookups go through.
    @Test func aTenantsUnansweredNamesHoldOnlyItsOwnShare() async throws {
        let stub = try await DNSStub(table: ["gw.good.test": Self.loopback], silent: [".silent.test"])
        defer { Task { await stub.stop() } }
        let names = try Self.resolver(stub, timeout: TestTimeouts.condition, perTenant: 4)
        let slow = UUID()
        let held = (0..<4).map { index in Task { await names.addresses(of: "n\(index).silent.test", tenant: slow) } }
        #expect(try await eventually { (0..<4).allSatisfy { stub.queries(for: "n\($0).silent.test") == 2 } })
        #expect(await names.addresses(of: "n4.silent.test", tenant: slow) == .failure(.temporary), "beyond its share: refused at once")
        #expect(stub.queries(for: "n4.silent.test") == 0)
        #expect(await names.addresses(of: "gw.good.test", tenant: UUID()) == .success([.v4(0x7f00_0001)]), "another tenant is not held")
        for task in held { task.cancel() }
    }

    /// Sends of a tenant beside another whose gateway's name never answers (and which keeps sending):
    /// both tenants' messages are dispatched by one pass of one dispatcher. The first tenant's go out,
    /// and no recipient of either is marked failed for a lookup: the second's tasks wait for a retry.
    @Test func sendsBesideATenantWhoseNamesNeverAnswer() async throws {
        let stub = try await DNSStub(table: ["gw-a.good.test": Self.loopback], silent: [".silent.test"])
        defer { Task { await stub.stop() } }
        let names = try Self.resolver(stub, timeout: .seconds(2))
        try await DispatcherTests().withSetup { setup in
            let port = try #require(URLComponents(string: setup.base)?.port)
            let a = try await setup.app.makeAccount(
                "gateway",
                settings: ["base_url": "http://gw-a.good.test:\(port)", "account": "acme"],
                credentials: ["api_password": "123456"]
            )
            let b = try await setup.app.makeAccount(
                "gateway",
                settings: ["base_url": "http://gw-b.silent.test:\(port)", "account": "acme"],
                credentials: ["api_password": "123456"]
            )
            let dispatcher = Dispatcher(
                repository: PostgresDispatchRepository(database: Database(pool: setup.app.pool)),
                accounts: PostgresProviderAccountRepository(database: Database(pool: setup.app.pool)),
                caller: OutboundCaller(
                    client: GatewayClient(egress: testEgress, names: names, timeout: .seconds(5)),
                    health: PostgresOutboundHealthRepository(database: Database(pool: setup.app.pool)),
                    metrics: setup.app.metrics,
                    logger: Logger(label: "test.outbound")
                ),
                keyring: testKeyring,
                logger: Logger(label: "test.dispatch"),
                maxAttempts: 5
            )
            func send(_ account: CallbackAccount, _ count: Int, from first: Int) async throws {
                for n in first..<(first + count) {
                    let reply = try await setup.app.request(
                        .post,
                        "/v1/messages",
                        bearer: account.key,
                        json:
                            #"{"recipients":["138\#(String(format: "%08d", n))"],"content":"【Acme】hi","provider_account_id":"\#(account.accountID.uuidString.lowercased())"}"#
                    )
                    #expect(reply.status == .accepted, "\(reply.text)")
                }
            }
            func submitted(_ account: CallbackAccount) async throws -> Int {
                let row = try await setup.app.rows(
                    "SELECT count(*)::text AS n FROM message_recipients WHERE tenant_id = '\(account.tenantID)' AND status = 'submitted'"
                )
                return Int((row[0]["n"] ?? nil) ?? "") ?? -1
            }
            // The dispatcher as the service runs it: passes every 50 ms, each claiming into free slots.
            var running = dispatcher
            running.interval = .milliseconds(50)
            let service = Task { [running] in try await running.run() }
            defer { service.cancel() }
            /// Seconds from the first of A's sends until A has `total` recipients submitted.
            func timeA(_ count: Int, from first: Int, total: Int) async throws -> Double {
                let started = ContinuousClock.now
                try await send(a, count, from: first)
                #expect(try await eventually(every: .milliseconds(20)) { try await submitted(a) == total })
                return (ContinuousClock.now - started).inSeconds
            }

            let alone = try await timeA(20, from: 0, total: 20)
            try await send(b, 20, from: 100)
            let beside = try await timeA(20, from: 200, total: 40)
            print("DNS neighbour: tenant A's 20 sends submitted in \(alone) s alone, \(beside) s beside tenant B's 20 on a silent name")

            let states = try await setup.app.rows(
                "SELECT tenant_id::text AS tenant, status, count(*)::text AS n FROM message_recipients GROUP BY 1, 2 ORDER BY 1, 2"
            )
            #expect(!states.contains { $0["status"] == "failed" }, "no recipient fails for a lookup: \(states)")
            #expect(try await submitted(b) == 0)
            let waiting = try await setup.app.rows(
                "SELECT count(*)::text AS n FROM dispatch_tasks WHERE tenant_id = '\(b.tenantID)' AND state = 'pending'"
            )
            #expect((Int((waiting[0]["n"] ?? nil) ?? "") ?? 0) > 0, "tenant B's tasks wait for a retry")
            #expect(stub.queries(for: "gw-b.silent.test") > 0)
        }
    }
}
