/// One copy of a Gateway status report or reply, as the push/pull tally counts it.
///
/// The gateway hands out every report and reply twice: pushed once with the full number, and
/// queued once for the pulls with the number masked (docs/providers.md §1.2, §1.5). Two numbers of one
/// task can share a mask, so the masked identity alone cannot tell their reports apart, and a pull
/// cannot say which push it copies.
package struct GatewayCopy: Sendable, Equatable {
    /// Everything a push and its pulled copy share: the kind, the masked number, and the rest of the
    /// fields (`s:<task>:<mask>:<code>:<times>`, `r:<mask>:<times>:<extNo>:<content hash>`).
    package var identity: String
    /// The full number, for a push that gives one; nil for a masked copy.
    package var pushedNumber: String?

    package init(identity: String, pushedNumber: String?) {
        self.identity = identity
        self.pushedNumber = pushedNumber
    }

    /// The key a new report of this identity is stored under: one slot per distinct report.
    package func dedupKey(slot: Int) -> String {
        "gw:\(self.identity)#\(slot)"
    }
}

/// The copies of one masked identity counted so far: the full numbers pushed, and the masked copies pulled.
///
/// Each report arrives at most once by push and once by pull, so the copies pair up: a pull that
/// finds more pushes than pulls is the copy of one of them, a push that finds more pulls than pushes
/// is the copy of a pulled one, and anything else is a new report. Slots `0..<min(pushed, pulled)`
/// are paired; the rest hold the reports seen one way only.
package struct GatewayCopyTally: Sendable, Equatable {
    package enum Decision: Sendable, Equatable {
        /// A report not stored before, under `GatewayCopy.dedupKey(slot:)`.
        case new(slot: Int)
        /// A copy of a stored report.
        case duplicate
        /// The push of a report stored from its pulled copy, in `slot`. That copy was matched to a
        /// recipient by its mask alone (the first of the numbers masked alike that it could move), so
        /// it now takes this push's number: otherwise a push for the second of two such numbers
        /// would pair with a copy that moved the first, and leave its own recipient where it was.
        case pairsWithPulled(slot: Int)
    }

    package var pushedNumbers: [String]
    package var pulled: Int

    package init(pushedNumbers: [String] = [], pulled: Int = 0) {
        self.pushedNumbers = pushedNumbers
        self.pulled = pulled
    }

    /// Counts one copy and says whether it is a new report.
    package mutating func count(_ copy: GatewayCopy) -> Decision {
        if let number = copy.pushedNumber {
            // The same push received again (a client retry) is not a second report.
            if self.pushedNumbers.contains(number) { return .duplicate }
            let pushed = self.pushedNumbers.count
            self.pushedNumbers.append(number)
            return pushed < self.pulled ? .pairsWithPulled(slot: pushed) : .new(slot: pushed)
        }
        let pulled = self.pulled
        self.pulled += 1
        return pulled < self.pushedNumbers.count ? .duplicate : .new(slot: pulled)
    }
}
