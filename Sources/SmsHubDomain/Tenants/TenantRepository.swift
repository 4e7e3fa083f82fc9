package import Foundation

/// Tenant storage for the admin API. Implementations work across tenants, so only admin paths hold one.
package protocol TenantRepository: Sendable {
    func create(name: String) async throws -> Tenant
    func list(after cursor: PageCursor?, limit: Int) async throws -> Page<Tenant>
    func get(id: UUID) async throws -> Tenant?
    /// Sets the status; returns nil when no such tenant exists.
    func setStatus(id: UUID, status: TenantStatus) async throws -> Tenant?
    /// Sets how long the tenant's data is kept (validated by `TenantRetention.validated`); nil when
    /// no such tenant exists.
    func setRetention(id: UUID, redactAfterDays: Int?, deleteAfterDays: Int?) async throws -> Tenant?
    /// Replaces the tenant's limit overrides (each validated by `RateLimit.isValid`); nil when no such tenant exists.
    func setRateLimits(id: UUID, _ limits: TenantRateLimits) async throws -> Tenant?
}

/// API key storage. `lookup` is the only call made before a tenant is known.
package protocol APIKeyRepository: Sendable {
    func create(tenantID: UUID, name: String, material: APIKeyMaterial) async throws -> APIKey
    func list(tenantID: UUID) async throws -> [APIKey]
    /// Marks the key revoked (idempotent); nil when the tenant has no such key.
    func revoke(tenantID: UUID, keyID: UUID) async throws -> APIKey?
    func lookup(hash: [UInt8]) async throws -> APIKeyLookup?
}

/// What a tenant may read about itself.
package protocol TenantSelfRepository: Sendable {
    /// The tenant as seen through its own row-level security scope.
    func current(tenantID: UUID) async throws -> Tenant?
}
