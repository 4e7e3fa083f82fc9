package import Foundation

/// An API key as stored: everything but the key itself, which exists only in the creation response.
package struct APIKey: Sendable, Equatable {
    package var id: UUID
    package var tenantID: UUID
    package var name: String
    package var prefix: String
    package var createdAt: Date
    package var revokedAt: Date?

    package init(id: UUID, tenantID: UUID, name: String, prefix: String, createdAt: Date, revokedAt: Date?) {
        self.id = id
        self.tenantID = tenantID
        self.name = name
        self.prefix = prefix
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }
}

/// What a presented key resolves to, before the caller decides whether it may proceed.
package struct APIKeyLookup: Sendable, Equatable {
    package var tenantID: UUID
    package var keyID: UUID
    package var tenantStatus: TenantStatus
    package var revoked: Bool
    package var rateLimits: TenantRateLimits

    package init(tenantID: UUID, keyID: UUID, tenantStatus: TenantStatus, revoked: Bool, rateLimits: TenantRateLimits = TenantRateLimits()) {
        self.tenantID = tenantID
        self.keyID = keyID
        self.tenantStatus = tenantStatus
        self.revoked = revoked
        self.rateLimits = rateLimits
    }
}
