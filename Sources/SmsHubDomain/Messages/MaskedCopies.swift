/// When a masked status copy can be attributed to a recipient, and when it must wait.
///
/// The Gateway's pulled reports mask the number (`159****7532`), and several numbers of one task can
/// share a mask. Each number gets one final report, so a copy is certainly for one of the mask's
/// recipients that has no final report yet (its open candidates); which one is only certain when
/// nothing else could be. Attributing by guess once made two numbers end in each other's outcomes,
/// and a first final state is never revisited, so a copy that cannot be attributed is held instead:
/// its push names the number later, or the other candidates get their own reports, or the window
/// ends and the recipients say their outcome could not be told apart (docs/providers.md §7).
package enum MaskedCopies {
    /// Copies per (key, mask), in the order received: one mask of one key has one set of candidates.
    package static func grouped(_ copies: [StatusAttachment.Event]) -> [(GroupKey, [StatusAttachment.Event])] {
        var order: [GroupKey] = []
        var groups: [GroupKey: [StatusAttachment.Event]] = [:]
        for copy in copies {
            let key = GroupKey(key: copy.key, mask: copy.numberRaw ?? "")
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(copy)
        }
        return order.map { ($0, groups[$0] ?? []) }
    }

    package struct GroupKey: Hashable, Sendable {
        package var key: StatusAttachment.Key
        package var mask: String
    }

    /// What a number's final report said, as its masked copy would say it.
    public struct Outcome: Equatable, Sendable {
        package var state: DeliveryState
        package var code: String?

        package init(state: DeliveryState, code: String?) {
            self.state = state
            self.code = code
        }
    }

    /// Which copy goes to which candidate (positions into `finals`), or nil to hold them all.
    ///
    /// `finals` holds each candidate's final outcome, nil for an open one. Copies as many as the
    /// candidates are every candidate's copy (each number has one), so each closed candidate's own
    /// copy is among them, saying what its report said: those are set aside, and the rest are the
    /// open candidates', attributed as `attribute` says. A push that could not pair with its own
    /// copy (its time differs from the pull's) closes its number without taking that copy away.
    package static func assign(_ copies: [StatusAttachment.Event], finals: [Outcome?]) -> [(copy: StatusAttachment.Event, candidate: Int)]? {
        let open = finals.indices.filter { finals[$0] == nil }
        var rest = copies
        var own: [(copy: StatusAttachment.Event, candidate: Int)] = []
        if copies.count == finals.count, open.count < finals.count {
            for (candidate, final) in finals.enumerated() {
                guard let final else { continue }
                // No copy says what this number's report said: the copies are not what one per number implies.
                guard let index = rest.firstIndex(where: { Outcome(state: $0.state, code: $0.code) == final }) else { return nil }
                own.append((rest.remove(at: index), candidate))
            }
        }
        guard let attributed = self.attribute(rest, open: open.count) else { return nil }
        return own + zip(attributed, open).map { ($0, $1) }
    }

    /// The copies to give, in order, to the first `open` candidates, or nil to hold them all.
    ///
    /// Certain when the copies cover every open candidate and all say the same (state and code):
    /// whichever copy is whose, each candidate's outcome is that one. One copy and one open candidate
    /// is the simplest case, attribution by elimination. Fewer copies than candidates, or copies that
    /// disagree, cannot be placed without a guess.
    package static func attribute(_ copies: [StatusAttachment.Event], open: Int) -> [StatusAttachment.Event]? {
        guard open > 0, copies.count >= open, let first = copies.first else { return nil }
        guard copies.allSatisfy({ $0.state == first.state && $0.code == first.code }) else { return nil }
        return Array(copies.prefix(open))
    }
}
