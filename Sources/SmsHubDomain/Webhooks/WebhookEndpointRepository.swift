package import Foundation

/// A tenant's endpoints and what was delivered to them: the API's side of webhooks.
package protocol WebhookEndpointRepository: Sendable {
    /// Creates an endpoint with its sealed secrets under the id they were sealed for; nil when the
    /// tenant already has `WebhookEndpointRules.maxEndpointsPerTenant`.
    func create(tenantID: UUID, id: UUID, endpoint: NewWebhookEndpoint, secrets: SealedSecrets) async throws -> WebhookEndpoint?
    func list(tenantID: UUID) async throws -> [WebhookEndpoint]
    func get(tenantID: UUID, id: UUID) async throws -> WebhookEndpoint?
    /// Applies `change`; enabling clears the hub's reason and the failure streak.
    func update(tenantID: UUID, id: UUID, change: WebhookEndpointChange) async throws -> WebhookEndpoint?
    func sealedSecrets(tenantID: UUID, id: UUID) async throws -> SealedSecrets?
    /// Replaces the sealed secrets if they are still the ones sealed under `previousKeyID` (a rekey).
    func reseal(tenantID: UUID, id: UUID, from previousKeyID: String, to secrets: SealedSecrets) async throws -> Bool
    /// Stores secrets after a rotation (the previous one signs too until `previousUntil`) if the
    /// stored ones are still `replacing`: two rotations at once must each see the other's secret.
    func storeRotated(tenantID: UUID, id: UUID, secrets: SealedSecrets, previousUntil: Date, replacing: SealedSecrets) async throws -> RotationOutcome

    func deliveries(
        tenantID: UUID,
        endpointID: UUID,
        state: WebhookDeliveryState?,
        limit: Int,
        cursor: PageCursor?
    ) async throws
        -> Page<WebhookDeliveryRecord>
    func delivery(tenantID: UUID, endpointID: UUID, id: UUID) async throws -> WebhookDeliveryRecord?
    /// Makes a delivery due now, whatever its state: one more attempt, while it has had fewer than
    /// `WebhookEndpointRules.maxAttemptsPerDelivery`.
    func retry(tenantID: UUID, endpointID: UUID, id: UUID) async throws -> WebhookRetryOutcome
    /// New deliveries to this endpoint of the tenant's events since `since` (oldest first, at most
    /// `limit`) that it subscribes to now; each keeps its event's id.
    func replay(tenantID: UUID, endpointID: UUID, since: Date, until: Date?, limit: Int) async throws -> WebhookReplay
    /// A `webhook.test` event delivered to this endpoint only.
    func enqueueTest(tenantID: UUID, endpointID: UUID) async throws -> WebhookDeliveryRecord?
}

package enum WebhookDeliveryState: String, Sendable, CaseIterable {
    case pending, delivered, failed
}

/// One event's delivery to one endpoint, with its attempts (newest first).
package struct WebhookDeliveryRecord: Sendable, Equatable {
    package var id: UUID
    package var endpointID: UUID
    package var eventID: UUID
    package var eventType: String
    package var state: WebhookDeliveryState
    package var attempts: Int
    package var nextAttemptAt: Date?
    package var lastStatus: Int?
    package var lastError: String?
    package var deliveredAt: Date?
    package var createdAt: Date
    package var attemptLog: [WebhookAttemptRecord]

    package init(
        id: UUID,
        endpointID: UUID,
        eventID: UUID,
        eventType: String,
        state: WebhookDeliveryState,
        attempts: Int,
        nextAttemptAt: Date?,
        lastStatus: Int?,
        lastError: String?,
        deliveredAt: Date?,
        createdAt: Date,
        attemptLog: [WebhookAttemptRecord] = []
    ) {
        self.id = id
        self.endpointID = endpointID
        self.eventID = eventID
        self.eventType = eventType
        self.state = state
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastStatus = lastStatus
        self.lastError = lastError
        self.deliveredAt = deliveredAt
        self.createdAt = createdAt
        self.attemptLog = attemptLog
    }
}

package struct WebhookAttemptRecord: Sendable, Equatable {
    package var attempt: Int
    package var attemptedAt: Date
    package var statusCode: Int?
    package var latencyMilliseconds: Int
    package var responseExcerpt: String?
    package var error: String?

    package init(attempt: Int, attemptedAt: Date, statusCode: Int?, latencyMilliseconds: Int, responseExcerpt: String?, error: String?) {
        self.attempt = attempt
        self.attemptedAt = attemptedAt
        self.statusCode = statusCode
        self.latencyMilliseconds = latencyMilliseconds
        self.responseExcerpt = responseExcerpt
        self.error = error
    }
}

package enum WebhookRetryOutcome: Sendable {
    case queued(WebhookDeliveryRecord)
    case notFound
    /// The delivery has had its most attempts: the attempts kept per delivery are bounded.
    case attemptsExhausted
}

package struct WebhookReplay: Sendable, Equatable {
    package var enqueued: Int
    /// Set when `limit` cut the replay short: replay again from here for the rest.
    package var continueFrom: Date?

    package init(enqueued: Int, continueFrom: Date?) {
        self.enqueued = enqueued
        self.continueFrom = continueFrom
    }
}

package enum RotationOutcome: Sendable {
    case stored(WebhookEndpoint)
    /// Another rotation stored its secrets first: read them and rotate again.
    case changedMeanwhile
    case notFound
}
