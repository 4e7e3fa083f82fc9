import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SmsHubDomain

/// Calls the Gateway API v1 over HTTP. Requests and responses are built and read by `GatewayAPI`;
/// this type checks the tenant's URL against the egress policy, connects only to the address that
/// passed, follows no redirect, bounds the whole exchange by one deadline, and turns every failure
/// into a `GatewayClient.Failure` whose text never repeats what the target said.
struct GatewayClient: Sendable {
    var egress: EgressResolver
    /// Covers the whole call: resolution, connection, request, response head and body.
    var timeout: Duration = .seconds(10)
    var maxResponseBytes = 8 * 1024 * 1024

    init(egress: EgressPolicy, names: NameResolver = .system, allowances: EgressAllowanceCache? = nil, timeout: Duration = .seconds(10)) {
        self.egress = EgressResolver(policy: egress, names: names, allowances: allowances)
        self.timeout = timeout
    }

    enum Failure: Error, Equatable, CustomStringConvertible {
        /// The URL, or where its host resolves, is refused by the egress policy.
        case egress(EgressPolicy.Refusal)
        /// No connection, or it broke before an answer. The call may or may not have reached the gateway.
        case transport
        /// The deadline passed. The call may or may not have reached the gateway.
        case timeout
        /// The gateway answered with an HTTP status other than 2xx.
        case httpStatus(Int)
        /// The gateway answered 2xx with a body that is not its JSON envelope.
        case badResponse

        /// Worth retrying with the same task id: the gateway may not have acted, or may have acted
        /// and failed to say so, and a repeated task id is recognised.
        var isRetryable: Bool {
            switch self {
            case .transport, .timeout, .egress(.lookupFailed): true
            case .httpStatus(let status): status >= 500 || status == 429
            case .egress, .badResponse: false
            }
        }

        var outbound: OutboundFailure {
            switch self {
            case .egress(.lookupFailed): .unreachable
            case .egress: .egressRefused
            case .transport: .unreachable
            case .timeout: .timeout
            case .httpStatus: .httpStatus
            case .badResponse: .unreadableResponse
            }
        }

        var description: String {
            switch self {
            case .egress(let refusal): "the provider URL \(refusal)"
            case .httpStatus(let status): "\(self.outbound) (\(status))"
            default: self.outbound.description
            }
        }
    }

    func call(
        baseURL: String,
        tenantID: UUID? = nil,
        accountID: UUID? = nil,
        _ call: GatewayAPI.Call,
        credentials: GatewayAPI.Credentials,
        send: GatewayAPI.SendRequest? = nil
    ) async throws(Failure) -> GatewayAPI.Envelope {
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
        var request = HTTPClientRequest(url: checked.target.base + call.rawValue)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded; charset=utf-8")
        request.body = .bytes(ByteBuffer(bytes: GatewayAPI.form(call, credentials: credentials, send: send)))

        let prepared = request
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: Self.configuration(connectingTo: checked))
        let outcome: Result<[UInt8], Failure>
        do {
            let limit = self.maxResponseBytes
            // The client's own deadline, a little shorter, ends a wait for a connection with the
            // connection's error (refused, no route) rather than a bare timeout.
            let clientTimeout = TimeAmount.nanoseconds(Int64(remaining.inSeconds * 0.9 * 1e9))
            outcome = try await withDeadline(remaining) {
                let response = try await client.execute(prepared, timeout: clientTimeout)
                guard (200..<300).contains(Int(response.status.code)) else { return .failure(.httpStatus(Int(response.status.code))) }
                let body = try await response.body.collect(upTo: limit)
                return .success(Array(body.readableBytesView))
            }
        } catch is DeadlineExceeded {
            outcome = .failure(.timeout)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            outcome = .failure(.timeout)
        } catch {
            outcome = .failure(.transport)
        }
        try? await client.shutdown()
        let body = try outcome.get()
        do {
            return try GatewayAPI.envelope(body)
        } catch {
            throw .badResponse
        }
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
