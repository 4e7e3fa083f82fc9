import SmsHubDomain

/// Why a call to a tenant's provider got no answer the hub can read.
enum OutboundCallFailure: Error, Equatable, CustomStringConvertible {
    /// The URL, or where its host resolves, is refused by the egress policy.
    case egress(EgressPolicy.Refusal)
    /// No connection, or it broke before an answer. The call may or may not have reached the provider.
    case transport
    /// The deadline passed. The call may or may not have reached the provider.
    case timeout
    /// The provider answered with an HTTP status other than 2xx (where only 2xx can be read).
    case httpStatus(Int)
    /// The provider answered 2xx with a body that cannot be read.
    case badResponse

    /// Worth retrying the Gateway with the same task id: it may not have acted, or may have acted and
    /// failed to say so, and a repeated task id is recognised. Never for a provider without such an
    /// id (decision 0019).
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
