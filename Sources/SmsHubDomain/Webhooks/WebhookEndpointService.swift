import Cryptography
package import Foundation

/// Managing a tenant's webhook endpoints: the rules of their fields, the URL's check against the
/// egress policy (supplied by the application, which resolves names), the cap per tenant, and the
/// signing secret: generated, sealed under the active master key, and shown once, on creation and on
/// rotation.
package struct WebhookEndpointService: Sendable {
    let endpoints: any WebhookEndpointRepository
    let keyring: SecretKeyring
    /// Why the tenant's URL may not be called, or nil.
    let checkURL: @Sendable (String, UUID) async -> String?
    let now: @Sendable () -> Date

    package init(
        endpoints: any WebhookEndpointRepository,
        keyring: SecretKeyring,
        now: @escaping @Sendable () -> Date = { Date() },
        checkURL: @escaping @Sendable (String, UUID) async -> String?
    ) {
        self.endpoints = endpoints
        self.keyring = keyring
        self.now = now
        self.checkURL = checkURL
    }

    package enum Failure: Error, Sendable, Equatable {
        /// Values that break a rule (422).
        case invalid([FieldProblem])
        /// The tenant has `WebhookEndpointRules.maxEndpointsPerTenant` endpoints already (409).
        case tooManyEndpoints
        case notFound
        /// Rotations of the same endpoint kept crossing each other (409; try again).
        case rotationContended
    }

    /// An endpoint with the signing secret, shown this once.
    package struct WithSecret: Sendable {
        package var endpoint: WebhookEndpoint
        package var secret: String
    }

    /// Rotations that cross another are retried this many times in all.
    package static let rotationAttempts = 8

    package func create(tenantID: UUID, _ endpoint: NewWebhookEndpoint) async throws -> WithSecret {
        try await self.validate(url: endpoint.url, description: endpoint.description, eventTypes: endpoint.eventTypes, tenantID: tenantID)
        let id = SecureRandom.uuid()
        let secrets = WebhookSigningSecrets(current: .generate())
        let sealed = try self.keyring.seal(secrets, tenantID: tenantID, endpointID: id)
        guard let created = try await self.endpoints.create(tenantID: tenantID, id: id, endpoint: endpoint, secrets: sealed) else {
            throw Failure.tooManyEndpoints
        }
        return WithSecret(endpoint: created, secret: secrets.current.text)
    }

    package func update(tenantID: UUID, id: UUID, _ change: WebhookEndpointChange) async throws -> WebhookEndpoint {
        try await self.validate(url: change.url, description: change.description, eventTypes: change.eventTypes, tenantID: tenantID)
        guard let updated = try await self.endpoints.update(tenantID: tenantID, id: id, change: change) else { throw Failure.notFound }
        return updated
    }

    /// A new signing secret. The previous one keeps signing for `WebhookEndpointRules.rotationOverlap`,
    /// unless `revokePrevious` (a leaked secret) drops it at once. Rotations at the same moment are
    /// applied one after the other: each sees the secret the other made.
    package func rotate(tenantID: UUID, id: UUID, revokePrevious: Bool) async throws -> WithSecret {
        for _ in 0..<Self.rotationAttempts {
            guard let stored = try await self.endpoints.sealedSecrets(tenantID: tenantID, id: id) else { throw Failure.notFound }
            let current = try self.keyring.open(stored, tenantID: tenantID, endpointID: id)
            let rotated = WebhookSigningSecrets(current: .generate(), previous: revokePrevious ? nil : current.current)
            let now = self.now()
            let until = revokePrevious ? now : now.addingTimeInterval(WebhookEndpointRules.rotationOverlap.inSeconds)
            let sealed = try self.keyring.seal(rotated, tenantID: tenantID, endpointID: id)
            switch try await self.endpoints.storeRotated(tenantID: tenantID, id: id, secrets: sealed, previousUntil: until, replacing: stored) {
            case .stored(let endpoint): return WithSecret(endpoint: endpoint, secret: rotated.current.text)
            case .changedMeanwhile: continue
            case .notFound: throw Failure.notFound
            }
        }
        throw Failure.rotationContended
    }

    /// 422 naming each field at fault; the URL is checked as it will be called (each delivery checks again).
    func validate(url: String?, description: String?, eventTypes: [String]?, tenantID: UUID) async throws {
        var problems = WebhookEndpointRules.problems(description: description, eventTypes: eventTypes)
        if let url, let refusal = await self.checkURL(url, tenantID) {
            problems.insert(FieldProblem(field: "url", message: refusal), at: 0)
        }
        if !problems.isEmpty { throw Failure.invalid(problems) }
    }
}
