package import Foundation

/// Which recipient each unattached status event belongs to, and how the events move those recipients
/// forward. Pure: the repository reads the rows, asks for a plan, and writes it in a few set-based statements.
///
/// Matching, per (account, provider message id): a recipient whose number equals the event's E.164
/// number, or, when the event names no number, the only such recipient. A masked number
/// (`138****5678`, the Gateway's pulled copies) may fit several recipients of one task; such a copy
/// is attributed only when that is certain (`MaskedCopies`), and is otherwise held, unattached, until
/// its push names the number or the other candidates have their own reports.
package enum StatusAttachment {
    package struct Key: Hashable, Sendable {
        package var accountID: UUID
        package var providerMessageID: String

        package init(accountID: UUID, providerMessageID: String) {
            self.accountID = accountID
            self.providerMessageID = providerMessageID
        }
    }

    package struct Event: Sendable {
        package var id: UUID
        package var key: Key
        package var numberRaw: String?
        package var numberE164: String?
        package var state: DeliveryState
        package var code: String?
        package var description: String?
        package var partSequence: Int?
        package var partTotal: Int?
        package var segments: Int?
        package var occurredAt: Date?

        package init(
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

    package struct Recipient: Sendable {
        package var id: UUID
        package var key: Key
        package var numberE164: String
        package var state: DeliveryState
        /// The state is the hub's inference (`expired` after the validity window), not a report.
        package var inferred: Bool
        /// The provider's code with the state: a held masked copy of a closed number says the same.
        package var code: String?
        /// Copied onto the events attached to it; the plan does not need it.
        package var messageID: UUID?

        package init(
            id: UUID,
            key: Key,
            numberE164: String,
            state: DeliveryState,
            code: String? = nil,
            inferred: Bool = false,
            messageID: UUID? = nil
        ) {
            self.id = id
            self.key = key
            self.numberE164 = numberE164
            self.state = state
            self.code = code
            self.inferred = inferred
            self.messageID = messageID
        }

        /// The rank a report must pass to move the recipient: an inferred expiry gives way to any
        /// final report (`DeliveryState.inferredRank`).
        package var rank: Int { self.inferred ? DeliveryState.inferredRank : self.state.rank }
    }

    /// One move of one recipient, with the fields of the event that moved it.
    package struct Move: Sendable, Equatable {
        package var recipientID: UUID
        package var state: DeliveryState
        package var code: String?
        package var description: String?
        package var segments: Int?
        package var occurredAt: Date?
    }

    package struct Plan: Sendable {
        package var attachments: [(eventID: UUID, recipientID: UUID)] = []
        /// Moves in rounds: a recipient appears at most once per round, and round n+1 follows round n,
        /// so the first-time stamps (`submitted_at`, `sent_at`) come from the event that reached them.
        package var rounds: [[Move]] = []

        package init() {}
    }

    /// Events that need the recipient's delivered parts counted (a delivered part of a long message).
    package static func needsDeliveredParts(_ event: Event) -> Bool {
        event.state == .delivered && (event.partTotal ?? 0) > 1
    }

    /// - Parameters:
    ///   - events: unattached events, in the order received.
    ///   - recipients: candidate recipients, in creation order.
    ///   - deliveredParts: part sequences already reported delivered, per recipient (only needed for
    ///     recipients that `needsDeliveredParts` events may reach).
    package static func plan(events: [Event], recipients: [Recipient], deliveredParts: [UUID: Set<Int>] = [:]) -> Plan {
        var planner = Planner(recipients: recipients, deliveredParts: deliveredParts)
        var masked: [Event] = []
        for event in events {
            if event.numberE164 == nil, let raw = event.numberRaw, PhoneNumber.MaskShape.of(raw) != nil {
                masked.append(event)
                continue
            }
            guard let matching = planner.matching(event) else { continue }
            guard let chosen = matching.first(where: { planner.rank(event.key, $0) < event.state.rank }) ?? matching.first else { continue }
            planner.attach(event, to: chosen)
        }
        // Masked copies after the reports that name their numbers, which may settle who they are for.
        for (_, copies) in MaskedCopies.grouped(masked) {
            guard let candidates = planner.matching(copies[0]), !candidates.isEmpty else { continue }
            let open = candidates.filter { planner.rank(copies[0].key, $0) < DeliveryState.terminalRank }
            guard !open.isEmpty else {
                // Every number of this mask has its own final report: these copies repeat what is known.
                for copy in copies { planner.attach(copy, to: candidates[0]) }
                continue
            }
            let finals = candidates.map { planner.final(copies[0].key, $0) }
            guard let assigned = MaskedCopies.assign(copies, finals: finals) else { continue }
            for (copy, candidate) in assigned { planner.attach(copy, to: candidates[candidate]) }
        }
        return planner.plan
    }

    /// The plan being built: each key's candidates, and each recipient's rank as the plan moves it.
    struct Planner {
        var groups: [Key: CandidateGroup] = [:]
        var parts: [UUID: Set<Int>]
        var plan = Plan()
        var movesOf: [UUID: Int] = [:]

        init(recipients: [Recipient], deliveredParts: [UUID: Set<Int>]) {
            for recipient in recipients {
                self.groups[recipient.key, default: CandidateGroup()].add(recipient)
            }
            self.parts = deliveredParts
        }

        /// The positions of the recipients `event` may be about, nil when its key has none.
        mutating func matching(_ event: Event) -> [Int]? {
            self.groups[event.key]?.matching(event)
        }

        func rank(_ key: Key, _ position: Int) -> Int {
            self.groups[key]?.ranks[position] ?? DeliveryState.terminalRank
        }

        /// The recipient's final report as the plan leaves it so far, nil while it has none.
        func final(_ key: Key, _ position: Int) -> MaskedCopies.Outcome? {
            guard let group = self.groups[key], group.ranks[position] >= DeliveryState.terminalRank else { return nil }
            return group.outcomes[position]
        }

        /// Attaches `event` to the recipient at `position` of its key, and moves it when the event ranks higher.
        mutating func attach(_ event: Event, to position: Int) {
            guard var group = self.groups[event.key] else { return }
            let recipientID = group.ids[position]
            self.plan.attachments.append((event.id, recipientID))

            var state = event.state
            if state == .delivered, let sequence = event.partSequence { self.parts[recipientID, default: []].insert(sequence) }
            // A long message is delivered only once every part is.
            if state == .delivered, let total = event.partTotal, total > 1, self.parts[recipientID, default: []].count < total {
                state = .sent
            }
            guard group.ranks[position] < state.rank else { return }
            group.ranks[position] = state.rank
            group.outcomes[position] = MaskedCopies.Outcome(state: state, code: event.code)
            self.groups[event.key] = group
            let round = self.movesOf[recipientID, default: 0]
            self.movesOf[recipientID] = round + 1
            if self.plan.rounds.count == round { self.plan.rounds.append([]) }
            self.plan.rounds[round].append(
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
    }

    /// The recipients of one key, indexed so that finding an event's matches does not compare it with
    /// every recipient: a Gateway task holds up to 3,000, and each of their reports arrives on its own.
    struct CandidateGroup {
        var ids: [UUID] = []
        var ranks: [Int] = []
        var outcomes: [MaskedCopies.Outcome] = []
        var nationals: [String] = []
        var byE164: [String: [Int]] = [:]
        /// Per mask shape (digits shown before and after the stars, and length): recipients by the digits shown.
        var byMask: [PhoneNumber.MaskShape: [PhoneNumber.MaskShape.Shown: [Int]]] = [:]

        mutating func add(_ recipient: Recipient) {
            let index = self.ids.count
            self.ids.append(recipient.id)
            self.ranks.append(recipient.rank)
            self.outcomes.append(MaskedCopies.Outcome(state: recipient.state, code: recipient.code))
            self.nationals.append(GatewayNumber.shown(recipient.numberE164))
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
