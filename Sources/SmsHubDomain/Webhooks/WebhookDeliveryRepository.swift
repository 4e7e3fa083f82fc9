package import Foundation

/// The deliverer's side of webhooks: claiming due deliveries under fenced leases, and recording
/// what each attempt got.
package protocol WebhookDeliveryRepository: Sendable {
    /// Tenants with deliveries due by `dueBy` to enabled endpoints. (Due: by the deliverer's clock;
    /// leased: by the database's, which fences instances against each other.)
    func tenantsWithWork(dueBy: Date) async throws -> [UUID]
    /// The tenant's enabled endpoints with deliveries due by `dueBy`, with what the deliverer needs to call them.
    func dueEndpoints(tenantID: UUID, dueBy: Date) async throws -> [WebhookTarget]
    /// Claims up to `limit` deliveries of one endpoint due by `dueBy`, oldest first, each under a lease held by `owner`.
    func claim(
        tenantID: UUID,
        endpointID: UUID,
        dueBy: Date,
        limit: Int,
        lease: Duration,
        owner: UUID
    ) async throws -> [ClaimedWebhookDelivery]
    /// Records the attempts' outcomes in one transaction. An outcome whose lease was lost (another
    /// instance claimed the delivery since) changes nothing. With `touchEndpoint`, also the endpoint's
    /// failure streak (started, ended, or past `disableAfter`: disabled); returns whether it is disabled.
    func record(
        tenantID: UUID,
        endpointID: UUID,
        outcomes: [WebhookAttemptOutcome],
        touchEndpoint: Bool,
        disableAfter: Duration
    )
        async throws -> Bool
    /// Marks the endpoints failing with more than `cap` deliveries pending as backlogged, and clears
    /// the mark of those that succeed again or fall to half of it; returns the endpoints that changed.
    func markBacklogs(cap: Int) async throws -> [WebhookBacklogChange]
}

/// An endpoint whose backlog mark `markBacklogs` set or cleared.
package struct WebhookBacklogChange: Sendable, Equatable {
    package var tenantID: UUID
    package var endpointID: UUID
    package var backlogged: Bool

    package init(tenantID: UUID, endpointID: UUID, backlogged: Bool) {
        self.tenantID = tenantID
        self.endpointID = endpointID
        self.backlogged = backlogged
    }
}

/// An endpoint as the deliverer calls it.
package struct WebhookTarget: Sendable, Equatable {
    package var endpointID: UUID
    package var url: String
    package var secrets: SealedSecrets
    package var previousSecretUntil: Date?
    /// In a failure streak when listed.
    package var failing: Bool

    package init(endpointID: UUID, url: String, secrets: SealedSecrets, previousSecretUntil: Date?, failing: Bool = false) {
        self.endpointID = endpointID
        self.url = url
        self.secrets = secrets
        self.previousSecretUntil = previousSecretUntil
        self.failing = failing
    }
}

package struct ClaimedWebhookDelivery: Sendable, Equatable {
    package var id: UUID
    package var eventID: UUID
    package var eventType: String
    package var occurredAt: Date
    /// The event's `data` object as stored (JSON text).
    package var data: String
    /// This claim's attempt number; with the owner, the fence.
    package var attempt: Int
    package var owner: UUID

    package init(id: UUID, eventID: UUID, eventType: String, occurredAt: Date, data: String, attempt: Int, owner: UUID) {
        self.id = id
        self.eventID = eventID
        self.eventType = eventType
        self.occurredAt = occurredAt
        self.data = data
        self.attempt = attempt
        self.owner = owner
    }
}

package struct WebhookAttemptOutcome: Sendable, Equatable {
    package var delivery: ClaimedWebhookDelivery
    package var attemptedAt: Date
    /// The HTTP status, when an answer came.
    package var statusCode: Int?
    package var latencyMilliseconds: Int
    package var responseExcerpt: String?
    /// Why it failed without an answer (one of the documented reasons).
    package var error: String?
    /// When to try again; nil when delivered, or when this was the last attempt.
    package var retryAt: Date?

    package var delivered: Bool { self.statusCode.map { (200..<300).contains($0) } ?? false }

    package init(
        delivery: ClaimedWebhookDelivery,
        attemptedAt: Date,
        statusCode: Int?,
        latencyMilliseconds: Int,
        responseExcerpt: String?,
        error: String?,
        retryAt: Date?
    ) {
        self.delivery = delivery
        self.attemptedAt = attemptedAt
        self.statusCode = statusCode
        self.latencyMilliseconds = latencyMilliseconds
        self.responseExcerpt = responseExcerpt
        self.error = error
        self.retryAt = retryAt
    }
}
