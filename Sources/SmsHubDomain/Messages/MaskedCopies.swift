/// When a masked status copy can be attributed to a recipient, and when it must wait.
///
/// The Gateway's pulled reports mask the number (`159****7532`), and several numbers of one task can
/// share a mask. Each number gets one final report, so a copy is certainly for one of the mask's
/// recipients that has no final report yet (its open candidates); which one is only certain when
/// nothing else could be. Attributing by guess once made two numbers end in each other's outcomes,
/// and a first final state is never revisited, so a copy that cannot be attributed is held instead:
/// its push names the number later, or the other candidates get their own reports, or the window
/// ends and the recipients say their outcome could not be told apart (docs/providers.md §7).
public enum MaskedCopies {
    /// Copies per (key, mask), in the order received: one mask of one key has one set of candidates.
    public static func grouped(_ copies: [StatusAttachment.Event]) -> [(GroupKey, [StatusAttachment.Event])] {
        var order: [GroupKey] = []
        var groups: [GroupKey: [StatusAttachment.Event]] = [:]
        for copy in copies {
            let key = GroupKey(key: copy.key, mask: copy.numberRaw ?? "")
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(copy)
        }
        return order.map { ($0, groups[$0] ?? []) }
    }

    public struct GroupKey: Hashable, Sendable {
        public var key: StatusAttachment.Key
        public var mask: String
    }

    /// The copies to give, in order, to the first `open` candidates, or nil to hold them all.
    ///
    /// Certain when the copies cover every open candidate and all say the same (state and code):
    /// whichever copy is whose, each candidate's outcome is that one. One copy and one open candidate
    /// is the simplest case, attribution by elimination. Fewer copies than candidates, or copies that
    /// disagree, cannot be placed without a guess.
    public static func attribute(_ copies: [StatusAttachment.Event], open: Int) -> [StatusAttachment.Event]? {
        guard open > 0, copies.count >= open, let first = copies.first else { return nil }
        guard copies.allSatisfy({ $0.state == first.state && $0.code == first.code }) else { return nil }
        return Array(copies.prefix(open))
    }
}
