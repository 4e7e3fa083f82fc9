/// A token bucket: `burst` tokens at most, refilled at `perMinute` a minute. Pure: the caller says
/// what time it is (seconds on a monotonic clock).
package struct TokenBucket: Sendable, Equatable {
    package private(set) var tokens: Double
    package private(set) var updatedAt: Double

    package init(limit: RateLimit, now: Double) {
        self.tokens = Double(limit.burst)
        self.updatedAt = now
    }

    package struct Decision: Sendable, Equatable {
        package var allowed: Bool
        /// Whole tokens left after this request.
        package var remaining: Int
        /// Seconds until a refused request may be made again (0 when allowed).
        package var retryAfter: Int
        /// Seconds until the bucket is full again.
        package var reset: Int
    }

    package mutating func take(_ limit: RateLimit, now: Double) -> Decision {
        let rate = Double(limit.perMinute) / 60
        let elapsed = max(0, now - self.updatedAt)
        self.tokens = min(Double(limit.burst), self.tokens + elapsed * rate)
        self.updatedAt = now
        let allowed = self.tokens >= 1
        if allowed { self.tokens -= 1 }
        let missing = max(0, 1 - self.tokens)
        let retryAfter = allowed ? 0 : Int((missing / rate).rounded(.up))
        let reset = Int(((Double(limit.burst) - self.tokens) / rate).rounded(.up))
        return Decision(allowed: allowed, remaining: Int(self.tokens.rounded(.down)), retryAfter: max(allowed ? 0 : 1, retryAfter), reset: reset)
    }

    /// Full again: nothing is lost by forgetting it.
    package func isFull(_ limit: RateLimit, now: Double) -> Bool {
        self.tokens + max(0, now - self.updatedAt) * Double(limit.perMinute) / 60 >= Double(limit.burst)
    }
}

/// One limit: a sustained rate and the burst allowed above it.
package struct RateLimit: Sendable, Equatable, Codable {
    package var perMinute: Int
    package var burst: Int

    package init(perMinute: Int, burst: Int) {
        self.perMinute = perMinute
        self.burst = burst
    }

    package static let maxPerMinute = 1_000_000
    package static let maxBurst = 100_000

    package var isValid: Bool { (1...Self.maxPerMinute).contains(self.perMinute) && (1...Self.maxBurst).contains(self.burst) }
}
