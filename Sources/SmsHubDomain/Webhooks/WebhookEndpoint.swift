package import Foundation

/// A tenant's webhook endpoint, as stored (its secrets sealed apart, never in this value).
package struct WebhookEndpoint: Sendable, Equatable {
    package var tenantID: UUID
    package var id: UUID
    package var url: String
    package var description: String
    /// Subscribed types, or `["*"]` for all.
    package var eventTypes: [String]
    package var enabled: Bool
    /// Why the hub disabled it; nil when enabled or disabled by the tenant.
    package var disabledReason: String?
    /// Until then deliveries carry a signature by the previous secret as well.
    package var previousSecretUntil: Date?
    package var failingSince: Date?
    /// Failing with more than `WebhookEndpointRules.maxPendingWhileFailing` deliveries pending since
    /// then: new changes are not queued for it until it succeeds again.
    package var backloggedSince: Date?
    package var lastSuccessAt: Date?
    package var createdAt: Date
    package var updatedAt: Date

    package init(
        tenantID: UUID,
        id: UUID,
        url: String,
        description: String,
        eventTypes: [String],
        enabled: Bool,
        disabledReason: String? = nil,
        previousSecretUntil: Date? = nil,
        failingSince: Date? = nil,
        backloggedSince: Date? = nil,
        lastSuccessAt: Date? = nil,
        createdAt: Date,
        updatedAt: Date
    ) {
        self.tenantID = tenantID
        self.id = id
        self.url = url
        self.description = description
        self.eventTypes = eventTypes
        self.enabled = enabled
        self.disabledReason = disabledReason
        self.previousSecretUntil = previousSecretUntil
        self.failingSince = failingSince
        self.backloggedSince = backloggedSince
        self.lastSuccessAt = lastSuccessAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    package func subscribes(to type: WebhookEventType) -> Bool {
        type == .test || self.eventTypes.contains(WebhookEventType.all) || self.eventTypes.contains(type.rawValue)
    }
}

/// The signing secrets of one endpoint, sealed together: the current one and, during a rotation,
/// the previous one.
package struct WebhookSigningSecrets: Sendable, Equatable {
    package var current: WebhookSecret
    package var previous: WebhookSecret?

    package init(current: WebhookSecret, previous: WebhookSecret? = nil) {
        self.current = current
        self.previous = previous
    }

    /// The secrets to sign with at `now`: the previous one only while its overlap lasts.
    package func signing(at now: Date, previousUntil: Date?) -> [WebhookSecret] {
        guard let previous = self.previous, let until = previousUntil, now < until else { return [self.current] }
        return [self.current, previous]
    }

    /// As the keyring seals them (a JSON object of texts), bound to the endpoint by `context`.
    var sealable: ProviderSecrets {
        var values = ["current": self.current.text]
        if let previous = self.previous { values["previous"] = previous.text }
        return ProviderSecrets(values)
    }

    init?(opened: ProviderSecrets) {
        guard let current = opened["current"].flatMap(WebhookSecret.init) else { return nil }
        self.current = current
        self.previous = opened["previous"].flatMap(WebhookSecret.init)
    }

    /// Associated data for sealing: a box copied to another endpoint's row does not open.
    static func context(tenantID: UUID, endpointID: UUID) -> String {
        "smshub.webhook_endpoint:\(tenantID.uuidString.lowercased()):\(endpointID.uuidString.lowercased())"
    }
}

extension SecretKeyring {
    /// Seals one endpoint's signing secrets, bound to that endpoint.
    package func seal(_ secrets: WebhookSigningSecrets, tenantID: UUID, endpointID: UUID) throws -> SealedSecrets {
        let sealed = try self.seal(secrets.sealable, context: WebhookSigningSecrets.context(tenantID: tenantID, endpointID: endpointID))
        return SealedSecrets(keyID: sealed.keyID, box: sealed.box)
    }

    /// Opens one endpoint's signing secrets; fails if they were sealed for another endpoint.
    package func open(_ sealed: SealedSecrets, tenantID: UUID, endpointID: UUID) throws -> WebhookSigningSecrets {
        let opened = try self.open(
            sealed.box,
            keyID: sealed.keyID,
            context: WebhookSigningSecrets.context(tenantID: tenantID, endpointID: endpointID)
        )
        guard let secrets = WebhookSigningSecrets(opened: opened) else { throw KeyringError.cannotOpen }
        return secrets
    }
}

/// A new endpoint, as validated from a request.
package struct NewWebhookEndpoint: Sendable, Equatable {
    package var url: String
    package var description: String
    package var eventTypes: [String]
    package var enabled: Bool

    package init(url: String, description: String = "", eventTypes: [String] = [WebhookEventType.all], enabled: Bool = true) {
        self.url = url
        self.description = description
        self.eventTypes = eventTypes
        self.enabled = enabled
    }
}

/// Fields a PATCH changes; nil leaves a field as it is.
package struct WebhookEndpointChange: Sendable, Equatable {
    package var url: String?
    package var description: String?
    package var eventTypes: [String]?
    package var enabled: Bool?

    package init(url: String? = nil, description: String? = nil, eventTypes: [String]? = nil, enabled: Bool? = nil) {
        self.url = url
        self.description = description
        self.eventTypes = eventTypes
        self.enabled = enabled
    }
}
