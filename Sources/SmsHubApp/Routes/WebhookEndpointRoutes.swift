import Foundation
import Hummingbird
import Logging
import SmsHubDomain

/// `/v1/webhook-endpoints`: where a tenant hears about changes, signed (docs/webhooks.md). The
/// signing secret is shown once, on creation and on rotation.
struct WebhookEndpointRoutes {
    let endpoints: any WebhookEndpointRepository
    let service: WebhookEndpointService
    let cursors: PageCursorCodec
    /// Replays, retries and test sends each make work beyond the request: limited apart, tighter.
    let limiter: RateLimiter

    init(endpoints: any WebhookEndpointRepository, keyring: SecretKeyring, egress: EgressResolver, cursors: PageCursorCodec, limiter: RateLimiter) {
        self.endpoints = endpoints
        // A URL must pass the egress policy as `EgressResolver.refusalOnSave` reads it.
        self.service = WebhookEndpointService(endpoints: endpoints, keyring: keyring) { url, tenantID in
            await egress.refusalOnSave(url, tenant: tenantID).map { $0 == .queryOrFragment ? "must not carry a query or fragment" : $0.description }
        }
        self.cursors = cursors
        self.limiter = limiter
    }

    func register(on group: RouterGroup<TenantRequestContext>) {
        group.post("webhook-endpoints", use: self.create)
        group.get("webhook-endpoints", use: self.list)
        group.get("webhook-endpoints/:endpoint_id", use: self.get)
        group.patch("webhook-endpoints/:endpoint_id", use: self.update)
        group.post("webhook-endpoints/:endpoint_id/secret/rotate", use: self.rotate)
        group.get("webhook-endpoints/:endpoint_id/deliveries", use: self.deliveries)
        group.get("webhook-endpoints/:endpoint_id/deliveries/:delivery_id", use: self.delivery)
        group.post("webhook-endpoints/:endpoint_id/deliveries/:delivery_id/retry", use: self.retry)
        group.post("webhook-endpoints/:endpoint_id/replay", use: self.replay)
        group.post("webhook-endpoints/:endpoint_id/test", use: self.test)
    }

    struct CreateRequest: Decodable {
        var url: String
        var description: String?
        var eventTypes: [String]?
        var enabled: Bool?
    }

    struct UpdateRequest: Decodable {
        var url: String?
        var description: String?
        var eventTypes: [String]?
        var enabled: Bool?
    }

    struct ReplayRequest: Decodable {
        var since: String
        var until: String?
    }

    /// At most this many events per replay request; the answer says where to continue.
    static let replayLimit = 10_000

    @Sendable func create(request: Request, context: TenantRequestContext) async throws -> EditedResponse<CreatedWebhookEndpointRepresentation> {
        let body = try await JSONBody.decode(CreateRequest.self, from: request, context: context)
        let endpoint = NewWebhookEndpoint(
            url: body.url,
            description: body.description ?? "",
            eventTypes: body.eventTypes ?? [WebhookEventType.all],
            enabled: body.enabled ?? true
        )
        let created = try await Self.answering { try await self.service.create(tenantID: context.tenant.tenantID, endpoint) }
        let id = created.endpoint.id.apiString
        context.logger.info("webhook endpoint created", metadata: ["endpoint_id": "\(id)"])
        return EditedResponse(
            status: .created,
            headers: [.location: "/v1/webhook-endpoints/\(id)"],
            response: CreatedWebhookEndpointRepresentation(endpoint: WebhookEndpointRepresentation(created.endpoint), secret: created.secret)
        )
    }

    @Sendable func list(request: Request, context: TenantRequestContext) async throws -> ListRepresentation<WebhookEndpointRepresentation> {
        _ = try QueryParameters(request, allowed: [])
        // At most `maxEndpointsPerTenant`: one page.
        let all = try await self.endpoints.list(tenantID: context.tenant.tenantID)
        return ListRepresentation(items: all.map(WebhookEndpointRepresentation.init), nextCursor: nil)
    }

    @Sendable func get(request: Request, context: TenantRequestContext) async throws -> WebhookEndpointRepresentation {
        _ = try QueryParameters(request, allowed: [])
        return WebhookEndpointRepresentation(try await self.endpoint(context))
    }

    @Sendable func update(request: Request, context: TenantRequestContext) async throws -> WebhookEndpointRepresentation {
        let id = try context.parameters.uuid("endpoint_id")
        let body = try await JSONBody.decode(UpdateRequest.self, from: request, context: context)
        let change = WebhookEndpointChange(url: body.url, description: body.description, eventTypes: body.eventTypes, enabled: body.enabled)
        let updated = try await Self.answering { try await self.service.update(tenantID: context.tenant.tenantID, id: id, change) }
        context.logger.info("webhook endpoint updated", metadata: ["endpoint_id": "\(id.apiString)"])
        return WebhookEndpointRepresentation(updated)
    }

    /// A new secret, shown once; the one it replaces keeps signing (beside it) for the overlap.
    struct RotateRequest: Decodable {
        var revokePrevious: Bool?
    }

    @Sendable func rotate(request: Request, context: TenantRequestContext) async throws -> CreatedWebhookEndpointRepresentation {
        let id = try context.parameters.uuid("endpoint_id")
        var revoke = false
        if request.headers[.contentType] != nil {
            revoke = try await JSONBody.decode(RotateRequest.self, from: request, context: context).revokePrevious ?? false
        }
        let rotated = try await Self.answering { try await self.service.rotate(tenantID: context.tenant.tenantID, id: id, revokePrevious: revoke) }
        context.logger.info("webhook secret rotated", metadata: ["endpoint_id": "\(id.apiString)", "previous_revoked": "\(revoke)"])
        return CreatedWebhookEndpointRepresentation(endpoint: WebhookEndpointRepresentation(rotated.endpoint), secret: rotated.secret)
    }

    /// The service's refusals as problems.
    static func answering<R>(_ body: () async throws -> R) async throws -> R {
        do {
            return try await body()
        } catch let failure as WebhookEndpointService.Failure {
            switch failure {
            case .invalid(let problems): throw Problem.validation(problems)
            case .notFound: throw Problem.notFound("No webhook endpoint has this id.")
            case .tooManyEndpoints:
                throw Problem(
                    .conflict,
                    code: "too_many_endpoints",
                    title: "Too many endpoints",
                    detail: "A tenant has at most \(WebhookEndpointRules.maxEndpointsPerTenant) webhook endpoints."
                )
            case .rotationContended:
                throw Problem(.conflict, code: "conflict", title: "Conflict", detail: "The secret was rotated concurrently too often; try again.")
            }
        }
    }

    static let deliveryParameters: Set<String> = QueryParameters.pagination.union(["state"])

    @Sendable func deliveries(request: Request, context: TenantRequestContext) async throws -> ListRepresentation<WebhookDeliveryRepresentation> {
        let query = try QueryParameters(request, allowed: Self.deliveryParameters)
        let endpoint = try await self.endpoint(context)
        let state = try query.oneOf("state", WebhookDeliveryState.self)
        let pages = try query.pagination(self.cursors, scope: PageCursorCodec.scope(tenant: context.tenant.tenantID, list: "webhook-deliveries"))
        let page = try await self.endpoints.deliveries(
            tenantID: context.tenant.tenantID,
            endpointID: endpoint.id,
            state: state,
            limit: pages.limit,
            cursor: pages.cursor
        )
        return ListRepresentation(page, pages, WebhookDeliveryRepresentation.init)
    }

    @Sendable func delivery(request: Request, context: TenantRequestContext) async throws -> WebhookDeliveryRepresentation {
        _ = try QueryParameters(request, allowed: [])
        let endpointID = try context.parameters.uuid("endpoint_id")
        let id = try context.parameters.uuid("delivery_id")
        guard let delivery = try await self.endpoints.delivery(tenantID: context.tenant.tenantID, endpointID: endpointID, id: id) else {
            throw Problem.notFound("No delivery of this endpoint has this id.")
        }
        return WebhookDeliveryRepresentation(delivery)
    }

    @Sendable func retry(request: Request, context: TenantRequestContext) async throws -> EditedResponse<WebhookDeliveryRepresentation> {
        try self.limiter.admit(.retry, context.tenant)
        let endpointID = try context.parameters.uuid("endpoint_id")
        let id = try context.parameters.uuid("delivery_id")
        switch try await self.endpoints.retry(tenantID: context.tenant.tenantID, endpointID: endpointID, id: id) {
        case .queued(let delivery):
            return EditedResponse(status: .accepted, response: WebhookDeliveryRepresentation(delivery))
        case .notFound:
            throw Problem.notFound("No delivery of this endpoint has this id.")
        case .attemptsExhausted:
            throw Problem(
                .conflict,
                code: "too_many_attempts",
                title: "Too many attempts",
                detail: "The delivery has had \(WebhookEndpointRules.maxAttemptsPerDelivery) attempts, the most one delivery keeps."
            )
        }
    }

    @Sendable func replay(request: Request, context: TenantRequestContext) async throws -> EditedResponse<WebhookReplayRepresentation> {
        let body = try await JSONBody.decode(ReplayRequest.self, from: request, context: context)
        guard let since = RFC3339.parse(body.since) else { throw Problem.invalidBody(field: "since", "must be an RFC 3339 time with an offset") }
        var until: Date?
        if let text = body.until {
            guard let parsed = RFC3339.parse(text) else { throw Problem.invalidBody(field: "until", "must be an RFC 3339 time with an offset") }
            guard parsed > since else { throw Problem.validation([FieldProblem(field: "until", message: "must be after since")]) }
            until = parsed
        }
        let endpoint = try await self.endpoint(context)
        // Its pending deliveries are past the cap: queueing more is what the cap refuses.
        if let since = endpoint.backloggedSince {
            throw Problem(
                .conflict,
                code: "endpoint_backlogged",
                title: "Endpoint backlogged",
                detail: "The endpoint has failed with more than \(WebhookEndpointRules.maxPendingWhileFailing) deliveries pending since "
                    + "\(RFC3339.format(since)); replay once it succeeds again."
            )
        }
        // Counted once the request is one that queues deliveries.
        try self.limiter.admit(.replay, context.tenant)
        let replay = try await self.endpoints.replay(
            tenantID: context.tenant.tenantID,
            endpointID: endpoint.id,
            since: since,
            until: until,
            limit: Self.replayLimit
        )
        context.logger.info("webhook replay queued", metadata: ["endpoint_id": "\(endpoint.id.apiString)", "events": "\(replay.enqueued)"])
        return EditedResponse(status: .accepted, response: WebhookReplayRepresentation(replay))
    }

    @Sendable func test(request: Request, context: TenantRequestContext) async throws -> EditedResponse<WebhookDeliveryRepresentation> {
        try self.limiter.admit(.test, context.tenant)
        let endpointID = try context.parameters.uuid("endpoint_id")
        guard let delivery = try await self.endpoints.enqueueTest(tenantID: context.tenant.tenantID, endpointID: endpointID) else {
            throw Problem.notFound("No webhook endpoint has this id.")
        }
        return EditedResponse(status: .accepted, response: WebhookDeliveryRepresentation(delivery))
    }

    func endpoint(_ context: TenantRequestContext) async throws -> WebhookEndpoint {
        let id = try context.parameters.uuid("endpoint_id")
        guard let endpoint = try await self.endpoints.get(tenantID: context.tenant.tenantID, id: id) else {
            throw Problem.notFound("No webhook endpoint has this id.")
        }
        return endpoint
    }
}

struct WebhookEndpointRepresentation: ResponseEncodable {
    var id: String
    var url: String
    var description: String
    var eventTypes: [String]
    var enabled: Bool
    var disabledReason: String?
    /// Until then deliveries are signed with the previous secret too.
    var previousSecretValidUntil: Date?
    var failingSince: Date?
    var backloggedSince: Date?
    var lastSuccessAt: Date?
    var createdAt: Date
    var updatedAt: Date

    init(_ endpoint: WebhookEndpoint) {
        self.id = endpoint.id.apiString
        self.url = endpoint.url
        self.description = endpoint.description
        self.eventTypes = endpoint.eventTypes
        self.enabled = endpoint.enabled
        self.disabledReason = endpoint.disabledReason
        self.previousSecretValidUntil = endpoint.previousSecretUntil.flatMap { $0 > Date() ? $0 : nil }
        self.failingSince = endpoint.failingSince
        self.backloggedSince = endpoint.backloggedSince
        self.lastSuccessAt = endpoint.lastSuccessAt
        self.createdAt = endpoint.createdAt
        self.updatedAt = endpoint.updatedAt
    }
}

/// An endpoint with its signing secret: on creation and rotation only.
struct CreatedWebhookEndpointRepresentation: ResponseEncodable {
    var endpoint: WebhookEndpointRepresentation
    var secret: String

    enum CodingKeys: String, CodingKey {
        case secret
    }

    func encode(to encoder: any Encoder) throws {
        try self.endpoint.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.secret, forKey: .secret)
    }
}

struct WebhookDeliveryRepresentation: ResponseEncodable {
    struct Attempt: Encodable, Sendable {
        var attempt: Int
        var attemptedAt: Date
        var statusCode: Int?
        var latencyMs: Int
        var responseExcerpt: String?
        var error: String?
    }

    var id: String
    var endpointId: String
    var eventId: String
    /// The `webhook-id` header of every attempt.
    var webhookId: String
    var eventType: String
    var state: String
    var attempts: Int
    var nextAttemptAt: Date?
    var lastStatus: Int?
    var lastError: String?
    var deliveredAt: Date?
    var createdAt: Date
    var attemptLog: [Attempt]

    init(_ delivery: WebhookDeliveryRecord) {
        self.id = delivery.id.apiString
        self.endpointId = delivery.endpointID.apiString
        self.eventId = delivery.eventID.apiString
        self.webhookId = WebhookPayload.id(delivery.eventID)
        self.eventType = delivery.eventType
        self.state = delivery.state.rawValue
        self.attempts = delivery.attempts
        self.nextAttemptAt = delivery.nextAttemptAt
        self.lastStatus = delivery.lastStatus
        self.lastError = delivery.lastError
        self.deliveredAt = delivery.deliveredAt
        self.createdAt = delivery.createdAt
        self.attemptLog = delivery.attemptLog.map {
            Attempt(
                attempt: $0.attempt,
                attemptedAt: $0.attemptedAt,
                statusCode: $0.statusCode,
                latencyMs: $0.latencyMilliseconds,
                responseExcerpt: $0.responseExcerpt,
                error: $0.error
            )
        }
    }
}

struct WebhookReplayRepresentation: ResponseEncodable {
    var enqueued: Int
    var continueFrom: Date?

    init(_ replay: WebhookReplay) {
        self.enqueued = replay.enqueued
        self.continueFrom = replay.continueFrom
    }
}
