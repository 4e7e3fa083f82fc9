import Foundation

/// Which recipient each unattached status event belongs to, and how the events move those recipients
/// forward. Pure: the repository reads the rows, asks for a plan, and writes it in a few set-based statements.
///
/// Matching, per (account, provider message id): a recipient whose number equals the event's E.164
/// number, or fits the event's mask (`138****5678`), or, when the event names no number, the only
/// such recipient. Several recipients of one Gateway task can share a mask; they are taken in a
/// stable order (creation, then id), each event going to the first that it can still move forward,
/// so reports for two such numbers land on two rows.
public enum StatusAttachment {
    public struct Key: Hashable, Sendable {
        public var accountID: UUID
        public var providerMessageID: String

        public init(accountID: UUID, providerMessageID: String) {
            self.accountID = accountID
            self.providerMessageID = providerMessageID
        }
    }

    public struct Event: Sendable {
        public var id: UUID
        public var key: Key
        public var numberRaw: String?
        public var numberE164: String?
        public var state: DeliveryState
        public var code: String?
        public var description: String?
        public var partSequence: Int?
        public var partTotal: Int?
        public var segments: Int?
        public var occurredAt: Date?

        public init(
            id: UUID,
            key: Key,
            numberRaw: String?,
            numberE164: String?,
            state: DeliveryState,
            code: String?,
            description: String?,
            partSequence: Int?,
            partTotal: Int?,
            segments: Int?,
            occurredAt: Date?
        ) {
            self.id = id
            self.key = key
            self.numberRaw = numberRaw
            self.numberE164 = numberE164
            self.state = state
            self.code = code
            self.description = description
            self.partSequence = partSequence
            self.partTotal = partTotal
            self.segments = segments
            self.occurredAt = occurredAt
        }
    }

    public struct Recipient: Sendable {
        public var id: UUID
        public var key: Key
        public var numberE164: String
        public var state: DeliveryState

        public init(id: UUID, key: Key, numberE164: String, state: DeliveryState) {
            self.id = id
            self.key = key
            self.numberE164 = numberE164
            self.state = state
        }
    }

    /// One move of one recipient, with the fields of the event that moved it.
    public struct Move: Sendable, Equatable {
        public var recipientID: UUID
        public var state: DeliveryState
        public var code: String?
        public var description: String?
        public var segments: Int?
        public var occurredAt: Date?
    }

    public struct Plan: Sendable {
        public var attachments: [(eventID: UUID, recipientID: UUID)] = []
        /// Moves in rounds: a recipient appears at most once per round, and round n+1 follows round n,
        /// so the first-time stamps (`submitted_at`, `sent_at`) come from the event that reached them.
        public var rounds: [[Move]] = []

        public init() {}
    }

    /// Events that need the recipient's delivered parts counted (a delivered part of a long message).
    public static func needsDeliveredParts(_ event: Event) -> Bool {
        event.state == .delivered && (event.partTotal ?? 0) > 1
    }

    /// - Parameters:
    ///   - events: unattached events, in the order received.
    ///   - recipients: candidate recipients, in creation order.
    ///   - deliveredParts: part sequences already reported delivered, per recipient (only needed for
    ///     recipients that `needsDeliveredParts` events may reach).
    public static func plan(events: [Event], recipients: [Recipient], deliveredParts: [UUID: Set<Int>] = [:]) -> Plan {
        var groups: [Key: CandidateGroup] = [:]
        for recipient in recipients {
            groups[recipient.key, default: CandidateGroup()].add(recipient)
        }
        var parts = deliveredParts
        var plan = Plan()
        var movesOf: [UUID: Int] = [:]
        for event in events {
            guard var group = groups[event.key] else { continue }
            let matching = group.matching(event)
            guard let chosen = matching.first(where: { group.ranks[$0] < event.state.rank }) ?? matching.first else { continue }
            let recipientID = group.ids[chosen]
            plan.attachments.append((event.id, recipientID))

            var state = event.state
            if state == .delivered, let sequence = event.partSequence { parts[recipientID, default: []].insert(sequence) }
            // A long message is delivered only once every part is.
            if state == .delivered, let total = event.partTotal, total > 1, parts[recipientID, default: []].count < total {
                state = .sent
            }
            guard group.ranks[chosen] < state.rank else { continue }
            group.ranks[chosen] = state.rank
            groups[event.key] = group
            let round = movesOf[recipientID, default: 0]
            movesOf[recipientID] = round + 1
            if plan.rounds.count == round { plan.rounds.append([]) }
            plan.rounds[round].append(
                Move(
                    recipientID: recipientID,
                    state: state,
                    code: event.code,
                    description: event.description,
                    segments: event.segments,
                    occurredAt: event.occurredAt
                )
            )
        }
        return plan
    }

    /// The recipients of one key, indexed so that finding an event's matches does not compare it with
    /// every recipient: a Gateway task holds up to 3,000, and each of their reports arrives on its own.
    struct CandidateGroup {
        var ids: [UUID] = []
        var ranks: [Int] = []
        var nationals: [String] = []
        var byE164: [String: [Int]] = [:]
        /// Per mask shape (digits shown before and after the stars, and length): recipients by the digits shown.
        var byMask: [PhoneNumber.MaskShape: [PhoneNumber.MaskShape.Shown: [Int]]] = [:]

        mutating func add(_ recipient: Recipient) {
            let index = self.ids.count
            self.ids.append(recipient.id)
            self.ranks.append(recipient.state.rank)
            self.nationals.append(PhoneNumber.national(ofE164: recipient.numberE164))
            self.byE164[recipient.numberE164, default: []].append(index)
        }

        /// Indices of the recipients the event may be about, in creation order.
        mutating func matching(_ event: Event) -> [Int] {
            if let e164 = event.numberE164 { return self.byE164[e164] ?? [] }
            if let raw = event.numberRaw, let (shape, shown) = PhoneNumber.MaskShape.of(raw) {
                if self.byMask[shape] == nil {
                    var index: [PhoneNumber.MaskShape.Shown: [Int]] = [:]
                    for (position, national) in self.nationals.enumerated() {
                        if let key = shape.shown(in: national) { index[key, default: []].append(position) }
                    }
                    self.byMask[shape] = index
                }
                return self.byMask[shape]?[shown] ?? []
            }
            return self.ids.count == 1 ? [0] : []
        }
    }
}
