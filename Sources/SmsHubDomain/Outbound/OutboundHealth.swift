package import Foundation

/// Why an outbound call failed, as tenants and operators see it: the rule or symptom, never the
/// target's own words (a tenant must not learn what an address it cannot reach would answer).
package enum OutboundFailure: String, Sendable, Equatable, CaseIterable, CustomStringConvertible {
    /// The URL or the address it resolves to is refused by the egress policy.
    case egressRefused = "egress_refused"
    /// No connection could be made (refused, reset, no route, DNS failure at call time).
    case unreachable
    /// The whole call, response body included, did not finish within its deadline.
    case timeout
    /// The target answered with an HTTP status other than 2xx (redirects included: none is followed).
    case httpStatus = "http_status"
    /// The target answered 2xx with something that is not the provider's JSON envelope.
    case unreadableResponse = "unreadable_response"

    package var description: String {
        switch self {
        case .egressRefused: "the provider URL is refused by the hub's egress policy"
        case .unreachable: "the provider could not be reached"
        case .timeout: "the provider did not answer in time"
        case .httpStatus: "the provider answered with an HTTP error"
        case .unreadableResponse: "the provider's answer is not its documented JSON"
        }
    }
}

/// An account's record of failing calls, shared by every instance through the database.
package struct OutboundHealth: Sendable, Equatable {
    package var consecutiveFailures: Int
    /// Until when neither sends nor polls call the account.
    package var pausedUntil: Date?
    package var lastFailure: OutboundFailure?
    package var lastFailureAt: Date?

    package init(consecutiveFailures: Int = 0, pausedUntil: Date? = nil, lastFailure: OutboundFailure? = nil, lastFailureAt: Date? = nil) {
        self.consecutiveFailures = consecutiveFailures
        self.pausedUntil = pausedUntil
        self.lastFailure = lastFailure
        self.lastFailureAt = lastFailureAt
    }

    package func isPaused(at now: Date = Date()) -> Bool {
        self.pausedUntil.map { $0 > now } ?? false
    }
}

/// When failing calls pause an account: after `threshold` failures in a row, for `base` doubled at
/// each further failure, at most `cap`. The first call after a pause is the probe: one success
/// clears the record, one more failure pauses it again for longer.
package struct CircuitBreaker: Sendable, Equatable {
    package var threshold: Int
    package var base: Duration
    package var cap: Duration

    package init(threshold: Int = 5, base: Duration = .seconds(30), cap: Duration = .seconds(600)) {
        self.threshold = threshold
        self.base = base
        self.cap = cap
    }

    /// The pause after `failures` consecutive failures, or nil below the threshold.
    package func pause(afterFailures failures: Int) -> Duration? {
        guard failures >= self.threshold else { return nil }
        let doublings = min(failures - self.threshold, 20)
        let pause = self.base * (1 << doublings)
        return pause > self.cap ? self.cap : pause
    }
}

package protocol OutboundHealthRepository: Sendable {
    /// Clears the account's failure record (a call got a usable answer).
    func recordSuccess(tenantID: UUID, accountID: UUID) async throws
    /// Counts one more failure and pauses the account as `breaker` says. Returns the new record.
    func recordFailure(tenantID: UUID, accountID: UUID, failure: OutboundFailure, breaker: CircuitBreaker) async throws -> OutboundHealth
    func health(tenantID: UUID, accountID: UUID) async throws -> OutboundHealth
}
