import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// What bounds the work one connection can make the server do before any route runs: how many
/// connections are served at once (more wait in the kernel's backlog, not in memory), how long a
/// connection may sit idle, and how long a request may take to arrive.
package struct ServerLimits: Sendable {
    /// nil: what the open-file limit leaves once everything else has its share (`DescriptorBudget`).
    package var maxConnections: Int?
    /// The operations listener's own cap (`DescriptorBudget.operationsConnections`).
    var operationsMaxConnections = DescriptorBudget.operationsConnections
    /// Connections one client address may hold at once; nil: a quarter of the connection cap, at
    /// least 8 (`ConnectionsPerAddress`); 0: no cap (behind a proxy, every client has its address).
    package var maxConnectionsPerAddress: Int?
    package var idleTimeout: Duration
    /// Time for a request's head to arrive, from the connection opening or the previous request.
    package var headTimeout: Duration
    /// Time for a request's body to arrive, from its head.
    package var bodyTimeout: Duration

    package init(
        maxConnections: Int? = nil,
        idleTimeout: Duration = AppSettings.HTTP.idleTimeout.defaultDuration,
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

    /// What `maxConnectionsPerAddress` comes to; 0 is no cap.
    var perAddress: Int {
        self.maxConnectionsPerAddress ?? max(8, (self.maxConnections ?? DescriptorBudget.inboundCeiling) / 4)
    }

    var server: HTTPServerBuilder {
        let head = TimeAmount(self.headTimeout)
        let body = TimeAmount(self.bodyTimeout)
        let perAddress = self.perAddress > 0 ? ConnectionsPerAddress(limit: self.perAddress) : nil
        return .http1(
            configuration: .init(
                additionalChannelHandlers: [RequestReadDeadline(headTimeout: head, bodyTimeout: body)] + (perAddress.map { [$0.handler()] } ?? []),
                idleTimeout: TimeAmount(self.idleTimeout)
            )
        )
    }
}
