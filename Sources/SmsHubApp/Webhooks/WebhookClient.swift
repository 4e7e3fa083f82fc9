import AsyncHTTPClient
import Foundation
import NIOCore
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
    }

    let egress: EgressResolver
    let timeout: Duration
    /// Connections per endpoint and instance: the most concurrent attempts one endpoint gets.
    let connectionsPerEndpoint: Int
    let recheckEvery: Duration = .seconds(60)
    static let maxClients = 512
    static let excerptBytes = 1024
    /// Read past the excerpt up to this much, so a keep-alive connection can be reused; larger
    /// answers are cut off (the connection is then dropped).
    static let maxResponseBytes = 64 * 1024
    private var pinned: [UUID: Pinned] = [:]

    init(egress: EgressPolicy, timeout: Duration, connectionsPerEndpoint: Int) {
        self.egress = EgressResolver(policy: egress)
        self.timeout = timeout
        self.connectionsPerEndpoint = connectionsPerEndpoint
    }

    /// The client for an endpoint, checked against the egress policy (again, once a minute).
    func client(endpointID: UUID, url: String) async -> Result<HTTPClient, EgressPolicy.Refusal> {
        let now = ContinuousClock.now
        if let entry = self.pinned[endpointID], entry.url == url, now - entry.checkedAt < self.recheckEvery {
            return .success(entry.client)
        }
        let checked: EgressResolver.Checked
        switch await self.egress.check(url) {
        case .success(let c): checked = c
        case .failure(let refusal):
            self.retire(endpointID)
            return .failure(refusal)
        }
        if var entry = self.pinned[endpointID], entry.url == url, entry.address == checked.address {
            entry.checkedAt = now
            self.pinned[endpointID] = entry
            return .success(entry.client)
        }
        self.retire(endpointID)
        if self.pinned.count >= Self.maxClients, let oldest = self.pinned.min(by: { $0.value.checkedAt < $1.value.checkedAt })?.key {
            self.retire(oldest)
        }
        var configuration = GatewayClient.configuration(connectingTo: checked)
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: self.connectionsPerEndpoint)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.pinned[endpointID] = Pinned(url: url, address: checked.address, client: client, checkedAt: now)
        return .success(client)
    }

    /// Shuts a client down once attempts already using it are over.
    private func retire(_ endpointID: UUID) {
        guard let entry = self.pinned.removeValue(forKey: endpointID) else { return }
        let grace = self.timeout
        Task {
            try? await Task.sleep(for: grace)
            try? await entry.client.shutdown()
        }
    }

    func shutdown() async {
        for (_, entry) in self.pinned { try? await entry.client.shutdown() }
        self.pinned = [:]
    }

    /// One attempt: POST `body` with the Standard Webhooks headers.
    nonisolated func post(_ client: HTTPClient, url: String, body: [UInt8], headers: [(String, String)]) async -> Attempt {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "smshub-webhooks/1")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let prepared = request
        let started = ContinuousClock.now
        let clientTimeout = TimeAmount.nanoseconds(Int64(self.timeout.inSeconds * 0.9 * 1e9))
        var attempt: Attempt
        do {
            attempt = try await withDeadline(self.timeout) {
                let response = try await client.execute(prepared, timeout: clientTimeout)
                var kept: [UInt8] = []
                var read = 0
                for try await chunk in response.body {
                    read += chunk.readableBytes
                    if kept.count < Self.excerptBytes { kept += chunk.readableBytesView.prefix(Self.excerptBytes - kept.count) }
                    if read > Self.maxResponseBytes { break }
                }
                return Attempt(statusCode: Int(response.status.code), latencyMilliseconds: 0, responseExcerpt: Self.excerpt(kept), error: nil)
            }
        } catch is DeadlineExceeded {
            attempt = Attempt(statusCode: nil, latencyMilliseconds: 0, responseExcerpt: nil, error: WebhookFailure.timeout.description)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            attempt = Attempt(statusCode: nil, latencyMilliseconds: 0, responseExcerpt: nil, error: WebhookFailure.timeout.description)
        } catch {
            attempt = Attempt(statusCode: nil, latencyMilliseconds: 0, responseExcerpt: nil, error: WebhookFailure.unreachable.description)
        }
        let elapsed = ContinuousClock.now - started
        attempt.latencyMilliseconds = Int(clamping: elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
        return attempt
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
