import Foundation

/// An API key as stored: everything but the key itself, which exists only in the creation response.
public struct APIKey: Sendable, Equatable {
    public var id: UUID
    public var tenantID: UUID
    public var name: String
    public var prefix: String
    public var createdAt: Date
    public var revokedAt: Date?

    public init(id: UUID, tenantID: UUID, name: String, prefix: String, createdAt: Date, revokedAt: Date?) {
        self.id = id
        self.tenantID = tenantID
        self.name = name
        self.prefix = prefix
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }
}

/// What a presented key resolves to, before the caller decides whether it may proceed.
public struct APIKeyLookup: Sendable, Equatable {
    public var tenantID: UUID
    public var keyID: UUID
    public var tenantStatus: TenantStatus
    public var revoked: Bool
    public var rateLimits: TenantRateLimits

    public init(tenantID: UUID, keyID: UUID, tenantStatus: TenantStatus, revoked: Bool, rateLimits: TenantRateLimits = TenantRateLimits()) {
        self.tenantID = tenantID
        self.keyID = keyID
        self.tenantStatus = tenantStatus
        self.revoked = revoked
        self.rateLimits = rateLimits
    }
}
