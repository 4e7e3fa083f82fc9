import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import SmsHubDomain

/// Posts deliveries to tenants' endpoints. Each endpoint gets its own HTTP client, kept between
/// deliveries so its connections are reused, pinned to the address the egress policy passed (the
/// name is checked again every minute, and a new address gets a new client). No redirect is followed,
/// one deadline bounds each attempt, and at most a short excerpt of an answer is read.
actor WebhookClient {
    struct Attempt: Sendable, Equatable {
        var statusCode: Int? = nil
        var latencyMilliseconds: Int
        var responseExcerpt: String? = nil
        /// One of the documented reasons, when no answer came (never the target's own words).
        var error: String? = nil
    }

    private struct Pinned {
        var url: String
        var address: IPAddress
        var client: HTTPClient
        var checkedAt: ContinuousClock.Instant

        var connection: Connection { Connection(client: self.client, isPublic: EgressPolicy.isPublic(self.address)) }
    }

    let egress: EgressResolver
    let timeout: Duration
    /// Connections per endpoint and instance: the most concurrent attempts one endpoint gets.
    let connectionsPerEndpoint: Int
    let recheckEvery: Duration = .seconds(60)
    /// Clients kept for reuse; with the ones retired while still in use, what bounds the webhook
    /// connections of this instance (`DescriptorBudget.webhookConnections`).
    let maxClients: Int
    static let excerptBytes = 1024
    /// Read past the excerpt up to this much, so a keep-alive connection can be reused; larger
    /// answers are cut off (the connection is then dropped).
    static let maxResponseBytes = 64 * 1024
    private var pinned: [UUID: Pinned] = [:]
    /// Batches using each client now; a retired client is shut down when its last batch is done.
    private var users: [ObjectIdentifier: Int] = [:]
    private var retiring: [ObjectIdentifier: HTTPClient] = [:]

    init(
        egress: EgressPolicy,
        names: NameResolver = .system,
        allowances: EgressAllowanceCache? = nil,
        timeout: Duration,
        connectionsPerEndpoint: Int,
        maxClients: Int = 32
    ) {
        self.egress = EgressResolver(policy: egress, names: names, allowances: allowances)
        self.timeout = timeout
        self.connectionsPerEndpoint = connectionsPerEndpoint
        self.maxClients = max(1, maxClients)
    }

    /// The client for an endpoint, checked against the egress policy (again, once a minute).
    /// An endpoint's client, and whether the address it is pinned to is public (what a non-public
    /// address answers is not kept).
    struct Connection {
        var client: HTTPClient
        var isPublic: Bool
    }

    /// The client for a batch, counted as in use until `done` (which every success must be followed by).
    func client(tenantID: UUID, endpointID: UUID, url: String) async -> Result<Connection, EgressPolicy.Refusal> {
        let result = await self.pin(tenantID: tenantID, endpointID: endpointID, url: url)
        if case .success(let connection) = result { self.users[ObjectIdentifier(connection.client), default: 0] += 1 }
        return result
    }

    /// A batch is done with its client.
    func done(_ connection: Connection) {
        let id = ObjectIdentifier(connection.client)
        let left = self.users[id, default: 1] - 1
        self.users[id] = left > 0 ? left : nil
        if left <= 0, let client = self.retiring.removeValue(forKey: id) { Self.shutDown(client) }
    }

    private func pin(tenantID: UUID, endpointID: UUID, url: String) async -> Result<Connection, EgressPolicy.Refusal> {
        let now = ContinuousClock.now
        if let entry = self.pinned[endpointID], entry.url == url, now - entry.checkedAt < self.recheckEvery {
            return .success(entry.connection)
        }
        let checked: EgressResolver.Checked
        let egress = self.egress
        // The lookup spends the attempt's time, never more.
        switch await leavingBehind(after: self.timeout, { await egress.check(url, tenant: tenantID) }) ?? .failure(.lookupFailed) {
        case .success(let c): checked = c
        case .failure(.lookupFailed) where self.pinned[endpointID]?.url == url:
            // A name that cannot be resolved right now keeps the address it had.
            return self.pinned[endpointID].map { .success($0.connection) } ?? .failure(.lookupFailed)
        case .failure(let refusal):
            self.retire(endpointID)
            return .failure(refusal)
        }
        if var entry = self.pinned[endpointID], entry.url == url, entry.address == checked.address {
            entry.checkedAt = now
            self.pinned[endpointID] = entry
            return .success(entry.connection)
        }
        self.retire(endpointID)
        if self.pinned.count >= self.maxClients, let oldest = self.pinned.min(by: { $0.value.checkedAt < $1.value.checkedAt })?.key {
            self.retire(oldest)
        }
        var configuration = ProviderClient.configuration(connectingTo: checked)
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: self.connectionsPerEndpoint)
        // One event loop per endpoint: its connections and the batch's sender share it (WebhookAttemptWindow).
        let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration)
        let entry = Pinned(url: url, address: checked.address, client: client, checkedAt: now)
        self.pinned[endpointID] = entry
        return .success(entry.connection)
    }

    /// Shuts a client down now, or once the batches using it are done: its idle connections close
    /// with it, so clients no longer pinned hold no descriptors.
    private func retire(_ endpointID: UUID) {
        guard let entry = self.pinned.removeValue(forKey: endpointID) else { return }
        let id = ObjectIdentifier(entry.client)
        if self.users[id, default: 0] > 0 {
            self.retiring[id] = entry.client
        } else {
            Self.shutDown(entry.client)
        }
    }

    private static func shutDown(_ client: HTTPClient) {
        Task { try? await client.shutdown() }
    }

    /// Clients alive (kept and retiring), for tests of the bound.
    var clientCount: Int { self.pinned.count + self.retiring.count }

    func shutdown() async {
        for (_, entry) in self.pinned { try? await entry.client.shutdown() }
        for (_, client) in self.retiring { try? await client.shutdown() }
        self.pinned = [:]
        self.retiring = [:]
    }

    /// The first bytes of an answer as text: invalid UTF-8 replaced and NUL dropped (PostgreSQL text
    /// cannot hold it), cut to the excerpt's length on a character boundary; nil when empty.
    static func excerpt(_ bytes: [UInt8]) -> String? {
        guard !bytes.isEmpty else { return nil }
        var text = String(decoding: bytes.filter { $0 != 0 }, as: UTF8.self)
        while text.utf8.count > self.excerptBytes { text.removeLast() }
        return text
    }
}
