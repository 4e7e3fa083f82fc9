import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// What bounds the work one connection can make the server do before any route runs: how many
/// connections are served at once (more wait in the kernel's backlog, not in memory), how long a
/// connection may sit idle, and how long a request may take to arrive.
public struct ServerLimits: Sendable {
    public var maxConnections: Int
    public var idleTimeout: Duration
    /// Time for a request's head to arrive, from the connection opening or the previous request.
    public var headTimeout: Duration
    /// Time for a request's body to arrive, from its head.
    public var bodyTimeout: Duration

    public init(
        maxConnections: Int = ServerLimits.defaultMaxConnections,
        idleTimeout: Duration = .seconds(30),
        headTimeout: Duration = .seconds(30),
        bodyTimeout: Duration = .seconds(60)
    ) {
        self.maxConnections = maxConnections
        self.idleTimeout = idleTimeout
        self.headTimeout = headTimeout
        self.bodyTimeout = bodyTimeout
    }

    /// Below the process's open-file limit, leaving room for database connections, outbound calls
    /// and files: past the limit `accept` fails and every new caller times out.
    public static var defaultMaxConnections: Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 256 }
        let soft = Int(clamping: min(limit.rlim_cur, 65_536))
        return min(10_000, max(32, soft - 128))
    }

    func applicationConfiguration(host: String, port: Int) -> ApplicationConfiguration {
        ApplicationConfiguration(
            address: .hostname(host, port: port),
            serverName: "smshub",
            availableConnectionsDelegate: MaximumAvailableConnections(self.maxConnections)
        )
    }

    var server: HTTPServerBuilder {
        let head = TimeAmount(self.headTimeout)
        let body = TimeAmount(self.bodyTimeout)
        return .http1(
            configuration: .init(
                additionalChannelHandlers: [RequestReadDeadline(headTimeout: head, bodyTimeout: body)],
                idleTimeout: TimeAmount(self.idleTimeout)
            )
        )
    }
}
