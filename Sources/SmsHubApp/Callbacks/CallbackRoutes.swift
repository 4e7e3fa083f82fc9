import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SmsHubDomain

/// `/callbacks/{provider}/{token}…`: provider pushes. Plain Hummingbird routes, because verifying a
/// signature needs the raw request. Answered 2xx only after the events are committed.
struct CallbackRoutes {
    let accounts: CallbackAccountCache
    let events: any EventStore
    let batcher: IngestBatcher
    let keyring: SecretKeyring
    let metrics: ServiceMetrics
    /// Counts unknown callback tokens per client address (`unauthenticated`).
    let limiter: RateLimiter
    /// When a request arrived, for signatures that cover a time.
    var clock = WallClock.system

    /// Callback bodies may be larger than management requests (an EngageLab batch lists every recipient).
    static let maxBodySize = 1024 * 1024

    enum Endpoint {
        case engagelab, submail, huaweiStatus, huaweiReplies, gatewayStatus, gatewayReplies

        /// Only EngageLab and SUBMAIL sign their callbacks; the others are authenticated by the URL's
        /// token alone, so their secrets are not decrypted for each callback.
        var verifiesSignatures: Bool {
            switch self {
            case .engagelab, .submail: true
            case .huaweiStatus, .huaweiReplies, .gatewayStatus, .gatewayReplies: false
            }
        }

        var provider: Provider {
            switch self {
            case .engagelab: .engagelab
            case .submail: .submail
            case .huaweiStatus, .huaweiReplies: .huawei
            case .gatewayStatus, .gatewayReplies: .gateway
            }
        }

        func parse(_ request: CallbackRequest, _ account: CallbackAccountContext) throws(CallbackError) -> ParsedCallback {
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

    func register(on router: Router<AppRequestContext>) {
        let group = router.group("callbacks")
        group.post("engagelab/:token") { request, context in try await self.handle(.engagelab, request, context) }
        group.post("submail/:token") { request, context in try await self.handle(.submail, request, context) }
        group.get("submail/:token") { request, context in try await self.handle(.submail, request, context) }
        group.post("huawei/:token/status") { request, context in try await self.handle(.huaweiStatus, request, context) }
        group.post("huawei/:token/replies") { request, context in try await self.handle(.huaweiReplies, request, context) }
        group.post("gateway/:token/status") { request, context in try await self.handle(.gatewayStatus, request, context) }
        group.post("gateway/:token/replies") { request, context in try await self.handle(.gatewayReplies, request, context) }
    }

    func handle(_ endpoint: Endpoint, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        let provider = endpoint.provider
        // Providers push from few addresses at high rates: only unknown tokens count, so guessing
        // tokens is limited and genuine pushes are not.
        do {
            try self.limiter.refuseIfUnauthenticatedExhausted(context.clientAddress)
        } catch {
            self.metrics.recordCallback(provider: provider.rawValue, outcome: "rate_limited")
            throw error
        }
        guard let token = context.parameters.get("token"), CallbackToken.looksValid(token),
            let account = try await self.accounts.resolve(token: token),
            account.provider == provider
        else {
            self.limiter.countRefusedCredentials(context.clientAddress)
            self.metrics.recordCallback(provider: provider.rawValue, outcome: "unknown_token")
            throw Problem.notFound("No callback endpoint exists at this path.")
        }
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: Self.maxBodySize)
        } catch is NIOTooManyBytesError {
            self.metrics.recordCallback(provider: provider.rawValue, outcome: "too_large")
            throw Problem.payloadTooLarge(limit: Self.maxBodySize)
        }
        let headers: [String: String]
        do {
            headers = try CallbackRequest.headers(request.headers.lazy.map { (name: $0.name.canonicalName, value: $0.value) })
        } catch {
            throw try await self.refuse(error, account: account, context: context)
        }
        let callback = CallbackRequest(
            method: request.method == .get ? .get : .post,
            headers: headers,
            query: request.uri.query ?? "",
            body: Array(body.readableBytesView),
            receivedAt: self.clock.now()
        )
        var secrets = ProviderSecrets()
        do {
            if endpoint.verifiesSignatures {
                secrets = try self.accounts.secrets(token: token, of: account) { sealed in
                    try self.keyring.open(sealed, tenantID: account.tenantID, accountID: account.accountID)
                }
            }
        } catch {
            // The account's secrets cannot be opened with the configured keys: a configuration fault,
            // not the provider's. 503 makes the provider retry once the keys are fixed.
            context.logger.error(
                "cannot open provider secrets",
                metadata: ["account_id": "\(account.accountID.apiString)", "error": "\(error)"]
            )
            throw Problem.unavailable("This endpoint cannot verify callbacks right now.")
        }
        let parsed: ParsedCallback
        do {
            parsed = try endpoint.parse(callback, CallbackAccountContext(settings: account.settings, secrets: secrets))
        } catch {
            throw try await self.refuse(error, account: account, context: context)
        }
        if parsed.isURLCheck {
            self.metrics.recordCallback(provider: provider.rawValue, outcome: "url_check")
            return Response(status: .ok)
        }
        if let token = parsed.oneUseToken, try await !self.events.claim(token, tenantID: account.tenantID, accountID: account.accountID) {
            throw try await self.refuse(.signature("token was already used to sign another event"), account: account, context: context)
        }
        let outcome: StoreOutcome
        do {
            outcome = try await self.batcher.submit(
                IncomingEvents(tenantID: account.tenantID, accountID: account.accountID, provider: provider, source: .push, events: parsed.events)
            )
        } catch is IngestBatcher.Full {
            self.metrics.recordCallback(provider: provider.rawValue, outcome: "queue_full")
            throw Problem.unavailable("Too many callbacks are waiting to be stored; retry shortly.")
        }
        for event in parsed.events {
            if case .unrecognised = event { self.metrics.recordCallback(provider: provider.rawValue, outcome: "unrecognised") }
        }
        self.metrics.recordCallback(provider: provider.rawValue, outcome: outcome.stored > 0 ? "stored" : "duplicate")
        // EngageLab wants 200 or 204 with no body; the others want 200. An empty 200 suits all four.
        return Response(status: .ok)
    }

    private func refuse(_ error: CallbackError, account: CallbackAccount, context: AppRequestContext) async throws -> Problem {
        let provider = account.provider.rawValue
        switch error {
        case .signature(let reason):
            self.metrics.recordCallback(provider: provider, outcome: "rejected")
            context.logger.notice(
                "callback signature refused",
                metadata: ["account_id": "\(account.accountID.apiString)", "reason": "\(reason)"]
            )
            try await self.events.recordRejection(
                tenantID: account.tenantID,
                accountID: account.accountID,
                provider: account.provider,
                reason: reason
            )
            return Problem(.unauthorized, code: "invalid_signature", title: "Signature refused", detail: reason)
        case .unsupportedMediaType, .malformed, .missingField, .invalidField:
            self.metrics.recordCallback(provider: provider, outcome: "bad_request")
            return Self.badRequest(error)
        }
    }

    /// The 4xx for a body the parser refused, naming the field where there is one.
    static func badRequest(_ error: CallbackError) -> Problem {
        switch error {
        case .unsupportedMediaType(let expected):
            Problem(.unsupportedMediaType, code: "unsupported_media_type", title: "Unsupported media type", detail: "Send the body as \(expected).")
        case .missingField(let field): Problem.invalidBody(field: field, "is required")
        case .invalidField(let field, let why): Problem.invalidBody(field: field, why)
        case .malformed, .signature: Problem.invalidBody(error.description)
        }
    }
}
