import Foundation
import Hummingbird
import SmsHubDomain

/// JSON shapes of the management API. Ids are strings, times RFC 3339, keys snake_case.
struct TenantRepresentation: ResponseEncodable, Equatable {
    var id: String
    var name: String
    var status: String
    var createdAt: Date
    var updatedAt: Date
    var disabledAt: Date?
    var retention: RetentionRepresentation
    /// The limits an administrator has set for this tenant; the others are the instance's defaults.
    var rateLimits: [String: RateLimitRepresentation]

    init(_ tenant: Tenant) {
        self.id = tenant.id.apiString
        self.name = tenant.name
        self.status = tenant.status.rawValue
        self.createdAt = tenant.createdAt
        self.updatedAt = tenant.updatedAt
        self.disabledAt = tenant.disabledAt
        self.retention = RetentionRepresentation(tenant.retention)
        self.rateLimits = Dictionary(
            uniqueKeysWithValues: tenant.rateLimits.overrides.map {
                ($0.key.rawValue, RateLimitRepresentation(perMinute: $0.value.perMinute, burst: $0.value.burst))
            }
        )
    }
}

struct RateLimitRepresentation: Encodable, Equatable {
    var perMinute: Int
    var burst: Int
}

/// A tenant's retention: the setting, and how far the sweep has got (docs/retention.md).
struct RetentionRepresentation: Encodable, Equatable {
    var redactAfterDays: Int?
    var deleteAfterDays: Int?
    var contentsRedactedBefore: Date?
    var dataRemovedBefore: Date?

    init(_ retention: TenantRetention) {
        self.redactAfterDays = retention.redactAfterDays
        self.deleteAfterDays = retention.deleteAfterDays
        self.contentsRedactedBefore = retention.redactedBefore
        self.dataRemovedBefore = retention.deletedBefore
    }
}

struct APIKeyRepresentation: ResponseEncodable, Equatable {
    var id: String
    var tenantId: String
    var name: String
    var prefix: String
    var createdAt: Date
    var revokedAt: Date?

    init(_ key: APIKey) {
        self.id = key.id.apiString
        self.tenantId = key.tenantID.apiString
        self.name = key.name
        self.prefix = key.prefix
        self.createdAt = key.createdAt
        self.revokedAt = key.revokedAt
    }
}

/// The one response that carries a key in full; nothing stores it, so it cannot be shown again.
struct CreatedAPIKeyRepresentation: ResponseEncodable {
    var id: String
    var tenantId: String
    var name: String
    var prefix: String
    var key: String
    var createdAt: Date
}

struct ListRepresentation<Item: Encodable & Sendable>: ResponseEncodable {
    var items: [Item]
    var nextCursor: String?
}

struct NameRequest: Decodable {
    var name: String
}
