import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SmsHubDomain

/// One exchange with a tenant's provider: the URL checked against the egress policy, a connection only
/// to the address that passed, no redirect followed, the whole exchange under one deadline, the answer
/// bounded. Every failure is an `OutboundCallFailure` whose text never repeats what the target said.
/// The request is sent once: nothing here retries (decision 0019).
struct ProviderClient: Sendable {
    var egress: EgressResolver
    /// Covers the whole call: resolution, connection, request, response head and body.
    var timeout: Duration = .seconds(10)
    var maxResponseBytes = 8 * 1024 * 1024

    init(egress: EgressPolicy, names: NameResolver = .system, allowances: EgressAllowanceCache? = nil, timeout: Duration = .seconds(10)) {
        self.egress = EgressResolver(policy: egress, names: names, allowances: allowances)
        self.timeout = timeout
    }

    struct Response: Sendable {
        var status: Int
        var body: [UInt8]
    }

    func exchange(
        baseURL: String,
        tenantID: UUID? = nil,
        accountID: UUID? = nil,
        _ request: ProviderRequest
    ) async throws(OutboundCallFailure) -> Response {
        // The lookup is part of the call: it spends the call's own time, never more.
        let started = ContinuousClock.now
        let checked: EgressResolver.Checked
        let egress = self.egress
        switch await leavingBehind(after: self.timeout, { await egress.check(baseURL, tenant: tenantID, account: accountID) }) {
        case .success(let c)?: checked = c
        case .failure(let refusal)?: throw .egress(refusal)
        case nil: throw .egress(.lookupFailed)
        }
        let remaining = self.timeout - (ContinuousClock.now - started)
        guard remaining > .milliseconds(1) else { throw .timeout }
        var prepared = HTTPClientRequest(url: checked.target.base + request.path)
        prepared.method = request.method == .get ? .GET : .POST
        for field in request.headers { prepared.headers.add(name: field.name, value: field.value) }
        if request.method == .post { prepared.body = .bytes(ByteBuffer(bytes: request.body)) }

        let outgoing = prepared
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: Self.configuration(connectingTo: checked))
        let outcome: Result<Response, OutboundCallFailure>
        do {
            let limit = self.maxResponseBytes
            // The client's own deadline, a little shorter, ends a wait for a connection with the
            // connection's error (refused, no route) rather than a bare timeout.
            let clientTimeout = TimeAmount.nanoseconds(Int64(remaining.inSeconds * 0.9 * 1e9))
            outcome = try await withDeadline(remaining) {
                let response = try await client.execute(outgoing, timeout: clientTimeout)
                let body = try await response.body.collect(upTo: limit)
                return .success(Response(status: Int(response.status.code), body: Array(body.readableBytesView)))
            }
        } catch is DeadlineExceeded {
            outcome = .failure(.timeout)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            outcome = .failure(.timeout)
        } catch {
            outcome = .failure(.transport)
        }
        try? await client.shutdown()
        return try outcome.get()
    }

    /// A client for one call: its name resolves only to the checked address (the certificate is still
    /// checked against the name), and a redirect is an answer, not an instruction.
    static func configuration(connectingTo checked: EgressResolver.Checked) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.timeout = .init(connect: .seconds(5))
        let address = checked.address.description
        var names: Set<String> = [checked.target.host, "[\(checked.target.host)]"]
        if let original = URLComponents(string: checked.target.base)?.host {
            names.insert(original)
            names.insert(original.trimmingCharacters(in: CharacterSet(charactersIn: "[]")))
        }
        configuration.dnsOverride = Dictionary(uniqueKeysWithValues: names.map { ($0, address) })
        return configuration
    }
}
