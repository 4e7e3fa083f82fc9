import SmsHubDomain
import Testing

@Suite struct TokenBucketTests {
    @Test func aBurstThenTheSustainedRate() {
        let limit = RateLimit(perMinute: 60, burst: 3)
        var bucket = TokenBucket(limit: limit, now: 100)
        #expect((0..<3).map { _ in bucket.take(limit, now: 100).allowed } == [true, true, true])
        let refused = bucket.take(limit, now: 100)
        #expect(!refused.allowed && refused.remaining == 0 && refused.retryAfter == 1 && refused.reset == 3)
        #expect(!bucket.take(limit, now: 100.5).allowed, "half a token is not one")
        #expect(bucket.take(limit, now: 101.1).allowed, "a token a second")
        #expect(bucket.isFull(limit, now: 104.2))
        // A clock that steps back (it never should) refills nothing and breaks nothing.
        #expect(!bucket.take(limit, now: 50).allowed)
    }

    @Test func slowLimitsSayWhenToComeBack() {
        let limit = RateLimit(perMinute: 6, burst: 1)
        var bucket = TokenBucket(limit: limit, now: 0)
        #expect(bucket.take(limit, now: 0).allowed)
        #expect(bucket.take(limit, now: 1).retryAfter == 9)
    }

    @Test func overridesAreStoredAndReadLeniently() {
        let limits = TenantRateLimits([.replay: RateLimit(perMinute: 60, burst: 10), .api: RateLimit(perMinute: 1000, burst: 50)])
        #expect(limits.json == #"{"api":{"burst":50,"per_minute":1000},"replay":{"burst":10,"per_minute":60}}"#)
        #expect(TenantRateLimits(json: limits.json) == limits)
        let odd =
            #"{"api":{"burst":0,"per_minute":10},"unauthenticated":{"burst":1,"per_minute":1},"nope":{},"test":"x","retry":{"burst":2,"per_minute":1.5}}"#
        #expect(TenantRateLimits(json: odd) == TenantRateLimits(), "invalid or unknown entries fall back to the defaults")
        #expect(TenantRateLimits(json: "not json") == TenantRateLimits())
    }

    @Test func instanceDefaultsAreParsed() {
        #expect(
            RateLimitPolicy.parseDefaults("api=600/50, replay=6/1") == [
                .api: RateLimit(perMinute: 600, burst: 50), .replay: RateLimit(perMinute: 6, burst: 1),
            ]
        )
        for bad in ["api", "api=1", "api=0/1", "api=1/0", "nope=1/1", "api=1/1/1", "api=x/1", "api=1000001/1"] {
            #expect(RateLimitPolicy.parseDefaults(bad) == nil, "\(bad)")
        }
    }
}
