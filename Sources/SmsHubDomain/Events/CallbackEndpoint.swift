/// A callback URL the hub hands a provider, and the parser behind it.
package enum CallbackEndpoint: Sendable, CaseIterable {
    case engagelab, submail, huaweiStatus, huaweiReplies, gatewayStatus, gatewayReplies

    /// Only EngageLab and SUBMAIL sign their callbacks; the others are authenticated by the URL's
    /// token alone, so their secrets are not opened for each callback.
    package var verifiesSignatures: Bool {
        switch self {
        case .engagelab, .submail: true
        case .huaweiStatus, .huaweiReplies, .gatewayStatus, .gatewayReplies: false
        }
    }

    package var provider: Provider {
        switch self {
        case .engagelab: .engagelab
        case .submail: .submail
        case .huaweiStatus, .huaweiReplies: .huawei
        case .gatewayStatus, .gatewayReplies: .gateway
        }
    }

    package func parse(_ request: CallbackRequest, _ account: CallbackAccountContext) throws(CallbackError) -> ParsedCallback {
        switch self {
        case .engagelab: try EngageLabCallbackParser.parse(request, account: account)
        case .submail: try SubmailCallbackParser.parse(request, account: account)
        case .huaweiStatus: try HuaweiCallbackParser.parseStatus(request, account: account)
        case .huaweiReplies: try HuaweiCallbackParser.parseReply(request, account: account)
        case .gatewayStatus: try GatewayCallbackParser.parseStatus(request, account: account)
        case .gatewayReplies: try GatewayCallbackParser.parseReply(request, account: account)
        }
    }
}
