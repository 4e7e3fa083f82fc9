import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SmsHubDomain

/// `/callbacks/{provider}/{token}…`: provider pushes. Plain Hummingbird routes, because verifying a
/// signature needs the raw request. The rules are `IngestCallback`'s; this reads the request within its
/// limits and answers each outcome, 2xx only after the events are committed.
struct CallbackRoutes {
    let ingest: IngestCallback
    let metrics: ServiceMetrics
    /// Counts unknown callback tokens per client address (`unauthenticated`).
    let limiter: RateLimiter
    /// When a request arrived, for signatures that cover a time.
    var clock = WallClock.system

    /// Callback bodies may be larger than management requests (an EngageLab batch lists every recipient).
    static let maxBodySize = 1024 * 1024

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

    func handle(_ endpoint: CallbackEndpoint, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        let provider = endpoint.provider.rawValue
        // Providers push from few addresses at high rates: only unknown tokens count, so guessing
        // tokens is limited and genuine pushes are not.
        do {
            try self.limiter.refuseIfUnauthenticatedExhausted(context.clientAddress)
        } catch {
            self.metrics.recordCallback(provider: provider, outcome: "rate_limited")
            throw error
        }
        let token = context.parameters.get("token")
        guard let token, let account = try await self.ingest.account(endpoint, token: token) else {
            self.limiter.countRefusedCredentials(context.clientAddress)
            self.metrics.recordCallback(provider: provider, outcome: "unknown_token")
            throw Problem.notFound("No callback endpoint exists at this path.")
        }
        let outcome: IngestCallback.Outcome
        switch try await self.read(request, provider: provider) {
        case .success(let callback): outcome = try await self.ingest(endpoint, token: token, account: account, request: callback)
        case .failure(let error): outcome = try await self.ingest.refuse(error, account: account)
        }
        switch outcome {
        case .urlCheck:
            self.metrics.recordCallback(provider: provider, outcome: "url_check")
        case .stored(let stored, let unrecognised):
            for _ in 0..<unrecognised { self.metrics.recordCallback(provider: provider, outcome: "unrecognised") }
            self.metrics.recordCallback(provider: provider, outcome: stored.stored > 0 ? "stored" : "duplicate")
        case .refused(let error):
            throw self.problem(error, account: account, context: context)
        case .secretsUnavailable(let error):
            context.logger.error("cannot open provider secrets", metadata: ["account_id": "\(account.accountID.apiString)", "error": "\(error)"])
            throw Problem.unavailable("This endpoint cannot verify callbacks right now.")
        case .queueFull:
            self.metrics.recordCallback(provider: provider, outcome: "queue_full")
            throw Problem.unavailable("Too many callbacks are waiting to be stored; retry shortly.")
        }
        // EngageLab wants 200 or 204 with no body; the others want 200. An empty 200 suits all four.
        return Response(status: .ok)
    }

    /// The request as the parsers take it, its body within `maxBodySize`.
    private func read(_ request: Request, provider: String) async throws -> Result<CallbackRequest, CallbackError> {
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: Self.maxBodySize)
        } catch is NIOTooManyBytesError {
            self.metrics.recordCallback(provider: provider, outcome: "too_large")
            throw Problem.payloadTooLarge(limit: Self.maxBodySize)
        }
        do {
            let headers = try CallbackRequest.headers(request.headers.lazy.map { (name: $0.name.canonicalName, value: $0.value) })
            return .success(
                CallbackRequest(
                    method: request.method == .get ? .get : .post,
                    headers: headers,
                    query: request.uri.query ?? "",
                    body: Array(body.readableBytesView),
                    receivedAt: self.clock.now()
                )
            )
        } catch {
            return .failure(error)
        }
    }

    private func problem(_ error: CallbackError, account: CallbackAccount, context: AppRequestContext) -> Problem {
        let provider = account.provider.rawValue
        if case .signature(let reason) = error {
            self.metrics.recordCallback(provider: provider, outcome: "rejected")
            context.logger.notice("callback signature refused", metadata: ["account_id": "\(account.accountID.apiString)", "reason": "\(reason)"])
            return Problem(.unauthorized, code: "invalid_signature", title: "Signature refused", detail: reason)
        }
        self.metrics.recordCallback(provider: provider, outcome: "bad_request")
        return Self.badRequest(error)
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
