import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import SmsHubDomain
import SmsHubSimulator
import TestSupport
import Testing

@testable import SmsHubApp

/// A tenant cannot make the hub connect to loopback, private or metadata addresses, however the URL
/// is written: the host is resolved as the HTTP client would, and every address checked.
@Suite(.tags(.slow), .timeLimit(.minutes(10))) struct EgressTests {
    /// Plain HTTP allowed, nothing else: each refusal below is about the address.
    static let noPrivateAddresses = EgressPolicy(allowPlainHTTP: true)

    static let loopbackSpellings = [
        "http://127.0.0.1:9", "http://2130706433:9", "http://0x7f000001:9", "http://0177.0.0.1:9", "http://127.1:9", "http://0x7f.1:9",
        "http://localhost:9", "http://[::1]:9", "http://[::ffff:127.0.0.1]:9", "http://[::ffff:7f00:1]:9", "http://0:9",
        "http://169.254.169.254/latest/meta-data", "http://10.0.0.1", "http://192.168.0.1", "http://[fd00:ec2::254]", "http://100.100.100.200",
    ]

    @Test(arguments: loopbackSpellings)
    func everySpellingOfAnInternalAddressIsRefused(url: String) async {
        let checked = await EgressResolver(policy: Self.noPrivateAddresses).check(url)
        #expect(checked.refusal == .forbiddenAddress, "\(url)")
    }

    @Test func savingAnInternalURLIsA422AndChangesNothing() async throws {
        try await withApp(egress: Self.noPrivateAddresses) { app in
            let tenant = try await app.makeTenant()
            for url in Self.loopbackSpellings + ["http://gw.example.com/?x=", "http://u:p@gw.example.com"] {
                let body = #"{"provider":"gateway","name":"gw","settings":{"base_url":"\#(url)","account":"a"},"credentials":{"api_password":"p"}}"#
                let reply = try await app.request(.post, "/v1/provider-accounts", bearer: tenant.key, json: body)
                expectProblem(reply, .unprocessableContent, code: "validation_failed")
                #expect(reply.text.contains("settings.base_url"))
            }
            #expect(try await app.count("provider_accounts") == 0)
        }
    }

    @Test func aRedirectIsAnAnswerNotAnInstruction() async throws {
        // The "gateway" redirects every call to the simulator, which would answer it: not followed.
        let simulator = GatewaySimulator(accounts: [(name: "acme", password: "123456", balance: 5)])
        let sim = Application(
            router: buildSimulatorRouter(simulator),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            logger: Self.quiet
        )
        try await sim.live { simClient in
            let target = "http://127.0.0.1:\(try #require(simClient.port))"
            let router = Router()
            router.post("/api/v1/queryBalance") { _, _ in
                Response(status: .found, headers: [.location: target + "/api/v1/queryBalance"])
            }
            let redirector = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: Self.quiet)
            try await redirector.live { client in
                let gateway = GatewayClient(egress: testEgress, timeout: TestTimeouts.outboundCall)
                let credentials = GatewayAPI.Credentials(account: "acme", password: "123456")
                let redirecting = "http://127.0.0.1:\(try #require(client.port))"
                await #expect(throws: GatewayClient.Failure.httpStatus(302)) {
                    try await gateway.call(baseURL: redirecting, .balance, credentials: credentials)
                }
                #expect(try await gateway.call(baseURL: target, .balance, credentials: credentials).isSuccess, "the target itself answers")
            }
        }
    }

    /// A URL that passed when saved but no longer does (the policy changed, or a name now resolves
    /// inside) is refused at the call, with the documented reason and nothing from the target.
    @Test func aCallRefusedByThePolicyReachesNothingAndSaysWhyGenerically() async throws {
        try await DispatcherTests().withSetup { setup in
            let strict = GatewayClient(egress: Self.noPrivateAddresses, timeout: TestTimeouts.outboundCall)
            let credentials = GatewayAPI.Credentials(account: "acme", password: "123456")
            let base = setup.base
            await #expect(throws: GatewayClient.Failure.egress(.forbiddenAddress)) {
                try await strict.call(baseURL: base, .balance, credentials: credentials)
            }
            // The tenant's view of a refusal by its gateway: the code, not the gateway's words.
            let id = setup.account.accountID.uuidString.lowercased()
            _ = try await setup.app.request(
                .patch,
                "/v1/provider-accounts/\(id)",
                bearer: setup.account.key,
                json: #"{"credentials":{"api_password":"wrong"}}"#
            )
            let refused = try await setup.app.request(.post, "/v1/provider-accounts/\(id)/balance/refresh", bearer: setup.account.key)
            expectProblem(refused, .badGateway, code: "gateway_unavailable")
            #expect(refused.json["detail"] as? String == "the gateway refused the call (code 02)")
            #expect(!refused.text.contains("密码错误"))
        }
    }

    static var quiet: Logger {
        var logger = Logger(label: "egress.test")
        logger.logLevel = .warning
        return logger
    }
}

extension Result where Success == EgressResolver.Checked, Failure == EgressPolicy.Refusal {
    var refusal: EgressPolicy.Refusal? {
        if case .failure(let refusal) = self { return refusal }
        return nil
    }
}
