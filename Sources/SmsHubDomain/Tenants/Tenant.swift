import Foundation

public struct Tenant: Sendable, Equatable {
    public var id: UUID
    public var name: String
    public var status: TenantStatus
    public var createdAt: Date
    public var updatedAt: Date
    public var disabledAt: Date?
    public var retention: TenantRetention
    public var rateLimits: TenantRateLimits

    public init(
        id: UUID,
        name: String,
        status: TenantStatus,
        createdAt: Date,
        updatedAt: Date,
        disabledAt: Date?,
        retention: TenantRetention = TenantRetention(),
        rateLimits: TenantRateLimits = TenantRateLimits()
    ) {
        self.id = id
        self.name = name
        self.status = status
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.disabledAt = disabledAt
        self.retention = retention
        self.rateLimits = rateLimits
    }
}

public enum TenantStatus: String, Sendable, Codable, CaseIterable {
    case active
    case disabled
}
