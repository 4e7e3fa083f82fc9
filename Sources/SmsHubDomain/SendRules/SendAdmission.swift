package import Foundation

/// Which recipients of a message being accepted the tenant's caps and quotas let through, decided
/// in the transaction that stores it, against the rows it holds locked (docs/sending-rules.md). Pure:
/// the repository reads the stamps and usage, and writes what this returns.
package struct SendAdmission: Sendable {
    package struct Candidate: Sendable, Equatable {
        package var number: String
        package var segments: Int

        package init(number: String, segments: Int) {
            self.number = number
            self.segments = segments
        }
    }

    package enum Verdict: Sendable, Equatable {
        case admitted
        /// Over a cap or a quota: `retryAfter` seconds until it would fit, and what it broke.
        case rateLimited(retryAfter: Int, reason: String)
    }

    package var verdicts: [Verdict]
    /// Numbers admitted (their cap rows take a stamp at `now`).
    package var admittedNumbers: [String]
    /// What the admitted recipients add to each period's usage.
    package var added: QuotaUsage

    /// Candidates in the message's order; `capRefusals` the numbers their cap rows refused (the
    /// repository decides caps in the statement that locks the rows, `FrequencyCaps.check` saying for
    /// how long); `usage` of each current period, when the tenant has quotas.
    package static func decide(
        _ candidates: [Candidate],
        capRefusals: [String: CapCheck],
        quotas: Quotas,
        periods: [QuotaPeriod],
        usage: [QuotaPeriod.Kind: QuotaUsage],
        now: Date
    ) -> SendAdmission {
        var verdicts: [Verdict] = []
        verdicts.reserveCapacity(candidates.count)
        var admitted: [String] = []
        var added = QuotaUsage()
        for candidate in candidates {
            if case .refused(let wait, let window)? = capRefusals[candidate.number] {
                verdicts.append(.rateLimited(retryAfter: wait, reason: "the number's cap of \(window.count) in \(window.seconds) s"))
                continue
            }
            if let over = Self.overQuota(quotas, periods: periods, usage: usage, adding: added, candidate: candidate, now: now) {
                verdicts.append(over)
                continue
            }
            verdicts.append(.admitted)
            admitted.append(candidate.number)
            added.recipients += 1
            added.segments += Int64(candidate.segments)
        }
        return SendAdmission(verdicts: verdicts, admittedNumbers: admitted, added: added)
    }

    static func overQuota(
        _ quotas: Quotas,
        periods: [QuotaPeriod],
        usage: [QuotaPeriod.Kind: QuotaUsage],
        adding added: QuotaUsage,
        candidate: Candidate,
        now: Date
    ) -> Verdict? {
        for period in periods {
            let used = usage[period.kind] ?? QuotaUsage()
            let (recipients, segments) =
                period.kind == .day ? (quotas.recipientsPerDay, quotas.segmentsPerDay) : (quotas.recipientsPerMonth, quotas.segmentsPerMonth)
            let wait = max(1, Int(period.end.timeIntervalSince(now).rounded(.up)))
            if let recipients, used.recipients + added.recipients + 1 > recipients {
                return .rateLimited(retryAfter: wait, reason: "the tenant's quota of \(recipients) recipients a \(period.kind.rawValue)")
            }
            if let segments, used.segments + added.segments + Int64(candidate.segments) > segments {
                return .rateLimited(retryAfter: wait, reason: "the tenant's quota of \(segments) segments a \(period.kind.rawValue)")
            }
        }
        return nil
    }
}
