import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import SmsHubSimulator
import TestSupport
import Testing

/// The simulator's signed EngageLab, SUBMAIL and Huawei pushes, received by the service over HTTP.
@Suite(.tags(.slow), .timeLimit(.minutes(10))) struct SimulatorPushTests {
    @Test func signedPushesOfEveryProviderAreAccepted() async throws {
        let simulator = GatewaySimulator(accounts: [])
        var logger = Logger(label: "sim")
        logger.logLevel = .warning
        let sim = Application(router: buildSimulatorRouter(simulator), configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
        try await sim.live { simClient in
            try await withApp { app in
                let port = try #require(app.client.port)
                let local = { (path: String) in "http://127.0.0.1:\(port)\(path)" }
                let engage = try await app.engageLab()
                let submail = try await app.submail()
                let huawei = try await app.makeAccount("huawei")
                let e = try await app.seedRecipients(engage, [("+8613800000001", "+8613800000001", "batch$+8613800000001")])[0]
                let s = try await app.seedRecipients(submail, [("13800000002", "+8613800000002", "send-2")])[0]
                let h = try await app.seedRecipients(huawei, [("+8613800000003", "+8613800000003", "hw-3")])[0]

                func push(_ fields: [String: String]) async throws -> Int {
                    let body = fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }.joined(
                        separator: "&"
                    )
                    let reply = try await simClient.execute(
                        uri: "/sim/push",
                        method: .post,
                        headers: [.contentType: "application/x-www-form-urlencoded"],
                        body: ByteBuffer(string: body)
                    )
                    let json = try JSONSerialization.jsonObject(with: Data(reply.body.readableBytesView)) as? [String: Any]
                    return json?["status"] as? Int ?? -1
                }
                #expect(
                    try await push([
                        "provider": "engagelab", "url": local(engage.path("events")), "id": "batch$+8613800000001", "mobile": "+8613800000001",
                        "outcome": "delivered", "app_key": "a1b2c3d4e5f6a7b8c9d0e1f2", "secret": "engagelab_demo_secret",
                    ]) == 200
                )
                #expect(
                    try await push([
                        "provider": "submail", "url": local(submail.path("events")), "id": "send-2", "mobile": "13800000002", "outcome": "dropped",
                        "secret": "my_subhook_key",
                    ]) == 200
                )
                #expect(try await push(["provider": "huawei", "url": local(huawei.path("status")), "id": "hw-3", "outcome": "EXPIRED"]) == 200)
                #expect(try await app.recipientStatus(e).status == "delivered")
                #expect(try await app.recipientStatus(s).status == "undelivered")
                #expect(try await app.recipientStatus(h).status == "expired")
                // Signed with the wrong secret, refused.
                #expect(
                    try await push([
                        "provider": "engagelab", "url": local(engage.path("events")), "id": "x$+8613800000009", "mobile": "+8613800000009",
                        "outcome": "delivered", "app_key": "a1b2c3d4e5f6a7b8c9d0e1f2", "secret": "wrong",
                    ]) == 401
                )
                #expect(
                    try await push([
                        "provider": "submail", "url": local(submail.path("events")), "id": "send-9", "mobile": "13800000009", "outcome": "delivered",
                        "secret": "wrong",
                    ]) == 401
                )
                #expect(try await app.count("callback_receipts") == 2)
            }
        }
    }

    /// A URL the simulator cannot call is an error, not a push silently lost.
    @Test func anUnusablePushURLIsRefused() async throws {
        let simulator = GatewaySimulator(accounts: [])
        var logger = Logger(label: "sim")
        logger.logLevel = .critical
        let sim = Application(router: buildSimulatorRouter(simulator), configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
        try await sim.live { client in
            let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
            let placeholder = try await client.execute(
                uri: "/sim/push-urls",
                method: .post,
                headers: form,
                body: ByteBuffer(string: "account=demo&status=%3Cthe+status+URL%3E")
            )
            #expect(placeholder.status == .badRequest)
            let unreachable = try await client.execute(
                uri: "/sim/push",
                method: .post,
                headers: form,
                body: ByteBuffer(string: "provider=huawei&id=x&url=http%3A%2F%2F127.0.0.1%3A1%2Fcallbacks")
            )
            #expect(unreachable.status == .badGateway)
            let relative = try await client.execute(
                uri: "/sim/push",
                method: .post,
                headers: form,
                body: ByteBuffer(string: "provider=huawei&id=x&url=%2Fcallbacks")
            )
            #expect(relative.status == .badRequest)
        }
    }
}
