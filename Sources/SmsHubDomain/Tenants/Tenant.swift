package import Foundation

package struct Tenant: Sendable, Equatable {
    package var id: UUID
    package var name: String
    package var status: TenantStatus
    package var createdAt: Date
    package var updatedAt: Date
    package var disabledAt: Date?
    package var retention: TenantRetention
    package var rateLimits: TenantRateLimits

    package init(
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

package enum TenantStatus: String, Sendable, Codable, CaseIterable {
    case active
    case disabled
}
