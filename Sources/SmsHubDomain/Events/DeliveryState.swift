/// A recipient's normalised state (architecture.md, "Status lifecycle").
package enum DeliveryState: String, Sendable, Codable, CaseIterable {
    case queued, submitted, sent, unknown, delivered, undelivered, failed, expired

    /// Order in the lifecycle; a recipient only moves to a higher rank. Terminal states share the
    /// top rank, so the first terminal state stays. Mirrors `status_rank()` in the database.
    package var rank: Int {
        switch self {
        case .queued: 0
        case .submitted: 1
        case .sent: 2
        case .unknown: 3
        case .delivered, .undelivered, .failed, .expired: 4
        }
    }

    package var isTerminal: Bool { self.rank == Self.terminalRank }

    package static let terminalRank = 4

    /// The rank of a state the hub inferred (an `expired` after the validity window): below every
    /// final report, so the provider's own final word, arriving late, still replaces it; above
    /// `unknown`, so a late report of progress does not. Mirrors the `status_inferred` checks in the database.
    package static let inferredRank = 3
}
