import AsyncHTTPClient
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

/// The Gateway client against the project's simulator, over real HTTP on loopback.
@Suite(.tags(.slow), .timeLimit(.minutes(10))) struct GatewayClientTests {
    static let credentials = GatewayAPI.Credentials(account: "acme", password: "123456")

    func withSimulator(_ body: @Sendable (GatewaySimulator, String, GatewayClient) async throws -> Void) async throws {
        let simulator = GatewaySimulator(accounts: [(name: "acme", password: "123456", balance: 10_000)], lateReportDelay: 3600)
        var logger = Logger(label: "smshub-sim.test")
        logger.logLevel = .warning
        let app = Application(router: buildSimulatorRouter(simulator), configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
        try await app.live { client in
            let base = "http://127.0.0.1:\(try #require(client.port))"
            try await body(simulator, base, GatewayClient(egress: testEgress, timeout: TestTimeouts.outboundCall))
        }
    }

    @Test func sendPullAndBalanceRoundTrip() async throws {
        try await withSimulator { simulator, base, client in
            let send = GatewayAPI.SendRequest(
                taskID: "task-1",
                mobiles: ["13512349830", "13600000016", "13700000017", "13800000018", "13900000019"],
                content: "【Acme】验证码 1234 & more",
                extNo: "10"
            )
            let sent = try await client.call(baseURL: base, .send, credentials: Self.credentials, send: send)
            #expect(sent.isSuccess)
            #expect(sent.data?["taskId"] == .string("task-1"))
            let tasks = await simulator.allTasks()
            #expect(tasks.count == 1)
            #expect(tasks[0].content == "【Acme】验证码 1234 & more", "content survives form encoding")
            #expect(tasks[0].extNo == "10")

            // The report pull: masked numbers, each report once; 8 never reports, 9 reports late.
            let zone = TimeZone(identifier: "Asia/Shanghai")!
            let first = GatewayAPI.items(try await client.call(baseURL: base, .report, credentials: Self.credentials))
            let reports = try first.map { try GatewayCallbackParser.status($0.fields, raw: $0.raw, zone: zone) }
            #expect(reports.map(\.number?.raw) == ["135****9830", "136****0016", "137****0017"])
            #expect(reports.map(\.state) == [.delivered, .failed, .undelivered])
            #expect(reports.allSatisfy { $0.providerMessageID == "task-1" })
            #expect(GatewayAPI.items(try await client.call(baseURL: base, .report, credentials: Self.credentials)).isEmpty)
            await simulator.makeLateReportsDue()
            let late = GatewayAPI.items(try await client.call(baseURL: base, .report, credentials: Self.credentials))
            #expect(late.map { $0.fields["mobile"] } == ["139****0019"])

            await simulator.addReply(account: "acme", mobile: "13512349830", content: "好的", extNo: "10")
            let replies = GatewayAPI.items(try await client.call(baseURL: base, .mo, credentials: Self.credentials))
            let reply = try GatewayCallbackParser.reply(try #require(replies.first).fields, raw: replies[0].raw, zone: zone)
            #expect(reply.content == "好的")
            #expect(reply.number.raw == "135****9830")
            #expect(reply.extNo == "10")

            let balance = try #require(GatewayAPI.balance(try await client.call(baseURL: base, .balance, credentials: Self.credentials)))
            #expect(balance.balance == 9_995, "10000 less one per number sent")
            #expect(balance.payment == "prepaid")
        }
    }

    @Test func aRepeatedTaskIDIsOneTask() async throws {
        try await withSimulator { simulator, base, client in
            let send = GatewayAPI.SendRequest(taskID: "same", mobiles: ["13512349830"], content: "x", extNo: nil)
            for _ in 0..<3 { #expect(try await client.call(baseURL: base, .send, credentials: Self.credentials, send: send).isSuccess) }
            let tasks = await simulator.allTasks()
            #expect(tasks.count == 1)
            #expect(tasks[0].sendCalls == 3)
            let balance = try #require(GatewayAPI.balance(try await client.call(baseURL: base, .balance, credentials: Self.credentials)))
            #expect(balance.balance == 9_999, "charged once")
        }
    }

    @Test func failuresAreTyped() async throws {
        try await withSimulator { simulator, base, client in
            let wrong = GatewayAPI.Credentials(account: "acme", password: "nope")
            let refused = try await client.call(
                baseURL: base,
                .send,
                credentials: wrong,
                send: .init(taskID: "t", mobiles: ["1"], content: "x", extNo: nil)
            )
            #expect(!refused.isSuccess)
            #expect(refused.code == "02")

            await simulator.injectSendFaults([.httpStatus(500), .hang(seconds: 4), .code("99")])
            let send = GatewayAPI.SendRequest(taskID: "t2", mobiles: ["13512349830"], content: "x", extNo: nil)
            await #expect(throws: GatewayClient.Failure.httpStatus(500)) {
                try await client.call(baseURL: base, .send, credentials: Self.credentials, send: send)
            }
            do {
                // A client with a short deadline for the hang alone; the others may take their time on a busy machine.
                let impatient = GatewayClient(egress: testEgress, timeout: .seconds(1))
                _ = try await impatient.call(baseURL: base, .send, credentials: Self.credentials, send: send)
                Issue.record("a hang past the timeout must fail")
            } catch let failure as GatewayClient.Failure {
                #expect(failure.isRetryable)
                #expect(failure == .timeout)
            }
            let coded = try await client.call(baseURL: base, .send, credentials: Self.credentials, send: send)
            #expect(coded.code == "99")
            // The hung call reached the gateway: retrying with the same task id must not make a second task.
            #expect(try await client.call(baseURL: base, .send, credentials: Self.credentials, send: send).isSuccess)
            #expect(await simulator.allTasks().filter { $0.taskID == "t2" }.count == 1)

            await #expect(throws: GatewayClient.Failure.self) {
                try await client.call(baseURL: "http://127.0.0.1:1", .balance, credentials: Self.credentials)
            }
        }
    }

    @Test func largeSendsSplitIntoTasksOf3000() {
        let chunks = GatewayAPI.chunks(Array(0..<7000))
        #expect(chunks.map(\.count) == [3000, 3000, 1000])
        #expect(chunks.flatMap { $0 } == Array(0..<7000))
        #expect(GatewayAPI.chunks([Int]()).isEmpty)
    }

    @Test func reportEnvelopeAcceptsTheDocumentsShapes() throws {
        let list = try GatewayAPI.envelope(
            Array(
                #"{"code":"00","data":[{"sendId":"a","status":"DELIVER","mobile":"135****9831","times":"2019-04-12 17:57:08"}],"message":"成功"}"#.utf8
            )
        )
        #expect(GatewayAPI.items(list).count == 1)
        let wrapped = try GatewayAPI.envelope(Array(#"{"code":"00","data":{"list":[{"sendId":"a"},{"sendId":"b"}]},"message":"成功"}"#.utf8))
        #expect(GatewayAPI.items(wrapped).count == 2)
        #expect(throws: GatewayAPI.ResponseError.notJSON) { try GatewayAPI.envelope(Array("<html>".utf8)) }
        #expect(throws: GatewayAPI.ResponseError.missingCode) { try GatewayAPI.envelope(Array("{}".utf8)) }
        #expect(GatewayAPI.Credentials(account: "a", password: "123456").pwd == "e10adc3949ba59abbe56e057f20f883e")
    }
}
