/// Why an attempt got no answer, as recorded and shown to the tenant (never the target's own words).
package enum WebhookFailure: String, Sendable, CaseIterable {
    case unreachable
    case timeout
    case egressRefused = "egress_refused"
    /// The endpoint's host name could not be resolved in time (a transient failure).
    case lookupFailed = "lookup_failed"
    /// The endpoint's secrets could not be opened (a master key missing from the keyring).
    case unsigned

    package var description: String {
        switch self {
        case .unreachable: "unreachable: the endpoint could not be connected to, or closed the connection"
        case .timeout: "timeout: no answer within the delivery deadline"
        case .egressRefused: "egress_refused: the URL is refused by the hub's egress policy"
        case .lookupFailed: "lookup_failed: the endpoint's host name could not be resolved in time"
        case .unsigned: "unsigned: the endpoint's signing secret could not be opened with the configured master keys"
        }
    }
}
