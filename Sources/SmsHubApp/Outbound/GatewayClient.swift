import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SmsHubDomain

/// Calls the Gateway API v1 over HTTP. Requests and responses are built and read by `GatewayAPI`;
/// `ProviderClient` makes the exchange (egress policy, one deadline, no redirect).
struct GatewayClient: Sendable {
    typealias Failure = OutboundCallFailure

    var provider: ProviderClient

    init(egress: EgressPolicy, names: NameResolver = .system, allowances: EgressAllowanceCache? = nil, timeout: Duration = .seconds(10)) {
        self.provider = ProviderClient(egress: egress, names: names, allowances: allowances, timeout: timeout)
    }

    var timeout: Duration {
        get { self.provider.timeout }
        set { self.provider.timeout = newValue }
    }

    func call(
        baseURL: String,
        tenantID: UUID? = nil,
        accountID: UUID? = nil,
        _ call: GatewayAPI.Call,
        credentials: GatewayAPI.Credentials,
        send: GatewayAPI.SendRequest? = nil
    ) async throws(Failure) -> GatewayAPI.Envelope {
        let request = ProviderRequest(
            method: .post,
            path: call.rawValue,
            headers: [HeaderField("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")],
            body: GatewayAPI.form(call, credentials: credentials, send: send)
        )
        let response = try await self.provider.exchange(baseURL: baseURL, tenantID: tenantID, accountID: accountID, request)
        guard (200..<300).contains(response.status) else { throw .httpStatus(response.status) }
        do {
            return try GatewayAPI.envelope(response.body)
        } catch {
            throw .badResponse
        }
    }
}
