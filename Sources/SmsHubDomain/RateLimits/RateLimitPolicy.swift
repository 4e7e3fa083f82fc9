import Foundation

/// What the hub limits, and by default how much (docs/operations.md, "Limits"). Tenant policies are
/// keyed by tenant and may be overridden per tenant by an administrator; `unauthenticated` is keyed
/// by client address and counts requests whose credentials were refused.
package enum RateLimitPolicy: String, Sendable, CaseIterable, Codable {
    /// Every request of the tenant API.
    case api
    /// `POST …/replay`: each may queue up to 10,000 deliveries.
    case replay
    /// `POST …/deliveries/{id}/retry`: an attempt row and a call to the tenant's endpoint each.
    case retry
    /// `POST …/test`: a call to the tenant's endpoint each.
    case test
    /// Requests from one client address whose API key, admin token or callback token was refused.
    case unauthenticated

    package var defaultLimit: RateLimit {
        switch self {
        case .api: RateLimit(perMinute: 6_000, burst: 300)
        case .replay: RateLimit(perMinute: 6, burst: 3)
        case .retry: RateLimit(perMinute: 120, burst: 30)
        case .test: RateLimit(perMinute: 30, burst: 10)
        case .unauthenticated: RateLimit(perMinute: 600, burst: 100)
        }
    }

    /// The policies an administrator may set per tenant.
    package static let perTenant: [RateLimitPolicy] = [.api, .replay, .retry, .test]
}

/// A tenant's overrides of the default limits; a policy not listed has the instance's default.
package struct TenantRateLimits: Sendable, Equatable {
    package var overrides: [RateLimitPolicy: RateLimit]

    package init(_ overrides: [RateLimitPolicy: RateLimit] = [:]) {
        self.overrides = overrides
    }
}

extension RateLimitPolicy {
    /// `api=6000/300,replay=60/10`: per minute and burst, by policy (`SMSHUB_RATE_LIMITS`); nil when
    /// an entry is not one.
    package static func parseDefaults(_ text: String) -> [RateLimitPolicy: RateLimit]? {
        var limits: [RateLimitPolicy: RateLimit] = [:]
        for entry in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
            let pair = entry.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, let policy = RateLimitPolicy(rawValue: String(pair[0])) else { return nil }
            let numbers = pair[1].split(separator: "/", omittingEmptySubsequences: false)
            guard numbers.count == 2, let perMinute = Int(numbers[0]), let burst = Int(numbers[1]) else { return nil }
            let limit = RateLimit(perMinute: perMinute, burst: burst)
            guard limit.isValid else { return nil }
            limits[policy] = limit
        }
        return limits
    }
}
