import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// What bounds the work one connection can make the server do before any route runs: how many
/// connections are served at once (more wait in the kernel's backlog, not in memory), how long a
/// connection may sit idle, and how long a request may take to arrive.
public struct ServerLimits: Sendable {
    /// nil: what the open-file limit leaves once everything else has its share (`DescriptorBudget`).
    public var maxConnections: Int?
    /// The operations listener's own cap (`DescriptorBudget.operationsConnections`).
    var operationsMaxConnections = DescriptorBudget.operationsConnections
    public var idleTimeout: Duration
    /// Time for a request's head to arrive, from the connection opening or the previous request.
    public var headTimeout: Duration
    /// Time for a request's body to arrive, from its head.
    public var bodyTimeout: Duration

    public init(
        maxConnections: Int? = nil,
        idleTimeout: Duration = .seconds(30),
        headTimeout: Duration = .seconds(30),
        bodyTimeout: Duration = .seconds(60)
    ) {
        self.maxConnections = maxConnections
        self.idleTimeout = idleTimeout
        self.headTimeout = headTimeout
        self.bodyTimeout = bodyTimeout
    }

    /// The listener's configuration; `operations` takes the operations listener's cap.
    func applicationConfiguration(host: String, port: Int, operations: Bool = false) -> ApplicationConfiguration {
        let cap = operations ? self.operationsMaxConnections : (self.maxConnections ?? DescriptorBudget.inboundCeiling)
        return ApplicationConfiguration(
            address: .hostname(host, port: port),
            serverName: "smshub",
            availableConnectionsDelegate: MaximumAvailableConnections(cap)
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
