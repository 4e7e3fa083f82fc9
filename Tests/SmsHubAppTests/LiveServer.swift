import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTesting
import Logging
import NIOCore
import ServiceLifecycle
import TestSupport

/// A response as a test reads it.
struct LiveResponse: Sendable {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: ByteBuffer
}

/// The client of a server a test started on loopback. Each request has a connection of its own:
/// concurrent requests reach the server concurrently (one shared connection would queue them behind
/// each other, each against its own deadline), and a connection the server closed while the test
/// was busy elsewhere is never reused. Bytes go out as given, malformed ones included.
struct LiveClient: Sendable {
    let port: Int?

    func execute(
        uri: String,
        method: HTTPRequest.Method,
        headers: HTTPFields = [:],
        body: ByteBuffer? = nil
    ) async throws -> LiveResponse {
        guard let port = self.port else { throw LiveServerFailure.notListening }
        let request = TestClient.Request(uri, method: method, authority: "127.0.0.1:\(port)", headers: headers, body: body)
        let response = try await TestClient.withClient(host: "127.0.0.1", port: port, configuration: .init(timeout: TestTimeouts.request)) {
            try await $0.execute(request)
        }
        return LiveResponse(status: response.status, headers: response.headers, body: response.body ?? ByteBuffer())
    }
}

enum LiveServerFailure: Error, CustomStringConvertible {
    case notListening
    var description: String { "the test server did not start listening within \(TestTimeouts.start)" }
}

extension ApplicationProtocol {
    /// Runs the application on its configured loopback address (port 0: one the kernel picks), calls
    /// `test` with a client once it listens, and shuts it down gracefully afterwards.
    func live<Value: Sendable>(_ test: @Sendable (LiveClient) async throws -> Value) async throws -> Value {
        let (ports, listening) = AsyncStream.makeStream(of: Int.self)
        let reporting = PortReporting(base: self) { port in
            listening.yield(port)
            listening.finish()
        }
        let group = ServiceGroup(configuration: .init(services: [reporting], logger: self.logger))
        // Ends the wait for the port if the server neither listens nor fails.
        let timer = Task {
            try? await Task.sleep(for: TestTimeouts.start)
            listening.finish()
        }
        defer { timer.cancel() }
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                defer { listening.finish() }
                try await group.run()
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else {
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                throw LiveServerFailure.notListening
            }
            let value: Value
            do {
                value = try await test(LiveClient(port: port))
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return value
        }
    }
}

/// The application as it is, reporting the port it listens on.
private struct PortReporting<Base: ApplicationProtocol>: ApplicationProtocol {
    typealias Responder = Base.Responder
    let base: Base
    let report: @Sendable (Int) -> Void

    var responder: Responder { get async throws { try await self.base.responder } }
    var server: HTTPServerBuilder { self.base.server }
    var eventLoopGroup: any EventLoopGroup { self.base.eventLoopGroup }
    var configuration: ApplicationConfiguration { self.base.configuration }
    var logger: Logger { self.base.logger }
    var services: [any Service] { self.base.services }
    var processesRunBeforeServerStart: [@Sendable () async throws -> Void] { self.base.processesRunBeforeServerStart }

    @Sendable func onServerRunning(_ channel: any Channel) async {
        await self.base.onServerRunning(channel)
        if let port = channel.localAddress?.port { self.report(port) }
    }
}
