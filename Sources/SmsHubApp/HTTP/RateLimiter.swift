import Foundation
import HTTPTypes
import NIOConcurrencyHelpers
import SmsHubDomain

/// Token buckets of this instance, by policy and tenant or client address (docs/operations.md,
/// "Limits"). Buckets live in memory: with N instances behind a balancer a tenant gets up to N times
/// its limit, which still bounds what it can take of each instance. The table is bounded: full
/// buckets are forgotten first, then the least recently used.
final class RateLimiter: Sendable {
    enum Subject: Hashable, Sendable {
        case tenant(UUID)
        case address(String)
    }

    struct Key: Hashable, Sendable {
        var policy: RateLimitPolicy
        var subject: Subject
    }

    let maxBuckets: Int
    /// This instance's defaults (`SMSHUB_RATE_LIMITS`), where a tenant has no override.
    let defaults: [RateLimitPolicy: RateLimit]
    private let buckets = NIOLockedValueBox<[Key: TokenBucket]>([:])
    /// Which tenant a key (by its hash) belonged to when last looked up: a tenant past its limit is
    /// refused before its key is looked up again, so a flood costs no database round trip. It only
    /// ever refuses; every request it lets through is authenticated as before.
    private let keyTenants = NIOLockedValueBox<[[UInt8]: (tenant: UUID, limits: TenantRateLimits)]>([:])
    static let maxKeyTenants = 10_000
    private let clock: @Sendable () -> Double

    init(
        defaults: [RateLimitPolicy: RateLimit] = [:],
        maxBuckets: Int = 100_000,
        clock: @escaping @Sendable () -> Double = { ProcessInfo.processInfo.systemUptime }
    ) {
        self.defaults = defaults
        self.maxBuckets = maxBuckets
        self.clock = clock
    }

    /// The limit that applies: the tenant's override, else this instance's default, else the built-in one.
    func limit(_ policy: RateLimitPolicy, _ tenant: TenantRateLimits? = nil) -> RateLimit {
        tenant?.overrides[policy] ?? self.defaults[policy] ?? policy.defaultLimit
    }

    /// Takes one token, or says when one will be there.
    func take(_ policy: RateLimitPolicy, _ subject: Subject, limit: RateLimit) -> TokenBucket.Decision {
        let now = self.clock()
        let key = Key(policy: policy, subject: subject)
        return self.buckets.withLockedValue { buckets in
            if buckets[key] == nil, buckets.count >= self.maxBuckets { Self.makeRoom(&buckets, now: now, limit: limit) }
            var bucket = buckets[key] ?? TokenBucket(limit: limit, now: now)
            let decision = bucket.take(limit, now: now)
            buckets[key] = bucket
            return decision
        }
    }

    /// The 429 a request would get now, without taking a token, or nil: for limits that count only
    /// failures (refused credentials), checked before the lookup they protect.
    func refusalIfExhausted(_ policy: RateLimitPolicy, _ subject: Subject, limit: RateLimit) -> Problem? {
        let now = self.clock()
        let decision = self.buckets.withLockedValue { buckets -> TokenBucket.Decision? in
            // A trial on a copy: the stored bucket is unchanged.
            guard var bucket = buckets[Key(policy: policy, subject: subject)] else { return nil }
            return bucket.take(limit, now: now)
        }
        guard let decision, !decision.allowed else { return nil }
        return Problem.tooManyRequests(policy, limit: limit, decision: decision)
    }

    /// Refused credentials, by client address: an address past its `unauthenticated` limit is
    /// refused before any lookup (`refuseIfUnauthenticatedExhausted`), and each refusal counts
    /// (`countRefusedCredentials`). Shared by the tenant API, the admin API and the callback routes.
    func refuseIfUnauthenticatedExhausted(_ address: String?) throws {
        if let refusal = self.refusalIfExhausted(.unauthenticated, .address(address ?? "unknown"), limit: self.limit(.unauthenticated)) {
            throw refusal
        }
    }

    func countRefusedCredentials(_ address: String?) {
        _ = self.take(.unauthenticated, .address(address ?? "unknown"), limit: self.limit(.unauthenticated))
    }

    /// Takes a token of the tenant's `policy`, or refuses the request with 429.
    func admit(_ policy: RateLimitPolicy, _ tenant: AuthenticatedTenant) throws {
        let limit = self.limit(policy, tenant.rateLimits)
        let decision = self.take(policy, .tenant(tenant.tenantID), limit: limit)
        guard decision.allowed else { throw Problem.tooManyRequests(policy, limit: limit, decision: decision) }
    }

    func remember(key hash: [UInt8], tenant: UUID, limits: TenantRateLimits) {
        self.keyTenants.withLockedValue { known in
            if known[hash] == nil, known.count >= Self.maxKeyTenants { known.removeAll(keepingCapacity: true) }
            known[hash] = (tenant, limits)
        }
    }

    /// The refusal for a key whose tenant is known to be past its `api` limit, or nil.
    func refusalBeforeLookup(key hash: [UInt8]) -> Problem? {
        guard let known = self.keyTenants.withLockedValue({ $0[hash] }) else { return nil }
        return self.refusalIfExhausted(.api, .tenant(known.tenant), limit: self.limit(.api, known.limits))
    }

    private static func makeRoom(_ buckets: inout [Key: TokenBucket], now: Double, limit: RateLimit) {
        buckets = buckets.filter { !$0.value.isFull(limit, now: now) }
        if buckets.count >= 1, let oldest = buckets.min(by: { $0.value.updatedAt < $1.value.updatedAt })?.key {
            buckets[oldest] = nil
        }
    }

    /// `RateLimit-Policy` and `RateLimit` (draft-ietf-httpapi-ratelimit-headers): the policy's quota
    /// and window, and what is left of it and when it is whole again.
    static func headers(_ policy: RateLimitPolicy, limit: RateLimit, decision: TokenBucket.Decision) -> HTTPFields {
        var fields = HTTPFields()
        fields[Self.policyHeader] = "\"\(policy.rawValue)\";q=\(limit.burst);w=\(max(1, limit.burst * 60 / limit.perMinute))"
        fields[Self.stateHeader] = "\"\(policy.rawValue)\";r=\(decision.remaining);t=\(decision.reset)"
        if !decision.allowed { fields[.retryAfter] = String(decision.retryAfter) }
        return fields
    }

    static let policyHeader = HTTPField.Name("RateLimit-Policy")!
    static let stateHeader = HTTPField.Name("RateLimit")!
}

extension Problem {
    /// 429 with `Retry-After` and the limit's fields.
    static func tooManyRequests(_ policy: RateLimitPolicy, limit: RateLimit, decision: TokenBucket.Decision) -> Problem {
        Problem(
            .tooManyRequests,
            code: "rate_limited",
            title: "Too many requests",
            detail:
                "The \(policy.rawValue) limit (\(limit.perMinute) a minute, bursts of \(limit.burst)) is used up; retry after \(decision.retryAfter) s.",
            headers: RateLimiter.headers(policy, limit: limit, decision: decision)
        )
    }
}
