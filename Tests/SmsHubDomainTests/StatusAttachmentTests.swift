import Foundation
import SmsHubDomain
import Testing

@Suite struct StatusAttachmentTests {
    let account = UUID()

    func key(_ id: String) -> StatusAttachment.Key {
        StatusAttachment.Key(accountID: self.account, providerMessageID: id)
    }

    func event(
        _ id: String,
        _ state: DeliveryState,
        number: String? = nil,
        e164: String? = nil,
        part: Int? = nil,
        of total: Int? = nil,
        at seconds: TimeInterval? = nil
    ) -> StatusAttachment.Event {
        StatusAttachment.Event(
            id: UUID(),
            key: self.key(id),
            numberRaw: number,
            numberE164: e164,
            state: state,
            code: state.rawValue.uppercased(),
            description: nil,
            partSequence: part,
            partTotal: total,
            segments: nil,
            occurredAt: seconds.map { Date(timeIntervalSince1970: $0) }
        )
    }

    func recipient(_ id: String, _ e164: String, _ state: DeliveryState = .submitted) -> StatusAttachment.Recipient {
        StatusAttachment.Recipient(id: UUID(), key: self.key(id), numberE164: e164, state: state)
    }

    @Test func eventsGoToTheRecipientOfTheirKeyAndNumber() {
        let a = self.recipient("m1", "+8613800000001")
        let b = self.recipient("m1", "+8613800000002")
        let c = self.recipient("m2", "+8613800000001")
        let e1 = self.event("m1", .delivered, e164: "+8613800000002")
        let e2 = self.event("m2", .failed)
        let e3 = self.event("m3", .delivered)
        let plan = StatusAttachment.plan(events: [e1, e2, e3], recipients: [a, b, c])
        #expect(plan.attachments.map(\.recipientID) == [b.id, c.id])
        #expect(plan.attachments.map(\.eventID) == [e1.id, e2.id])
        #expect(plan.rounds.count == 1)
        #expect(plan.rounds[0].map(\.recipientID) == [b.id, c.id])
        #expect(plan.rounds[0].map(\.state) == [.delivered, .failed])
    }

    @Test func aNumberlessEventNeedsTheOnlyRecipient() {
        let a = self.recipient("m1", "+8613800000001")
        let b = self.recipient("m1", "+8613800000002")
        #expect(StatusAttachment.plan(events: [self.event("m1", .delivered)], recipients: [a, b]).attachments.isEmpty)
        #expect(StatusAttachment.plan(events: [self.event("m1", .delivered)], recipients: [a]).attachments.map(\.recipientID) == [a.id])
    }

    func recipient(_ id: String, _ e164: String, _ state: DeliveryState = .submitted, inferred: Bool) -> StatusAttachment.Recipient {
        StatusAttachment.Recipient(id: UUID(), key: self.key(id), numberE164: e164, state: state, inferred: inferred)
    }

    /// Copies that cover every open number of their mask and say the same: each number's outcome is
    /// that one, whichever copy is whose.
    @Test func maskedCopiesThatAgreeAndCoverTheirNumbersAreAttributed() {
        let a = self.recipient("t", "+8613812345678")
        let b = self.recipient("t", "+8613899995678")
        let first = self.event("t", .delivered, number: "138****5678")
        let second = self.event("t", .delivered, number: "138****5678")
        let plan = StatusAttachment.plan(events: [first, second], recipients: [a, b])
        #expect(plan.attachments.map(\.recipientID) == [a.id, b.id])
        #expect(plan.rounds.flatMap { $0 }.map(\.recipientID) == [a.id, b.id])
        // A third copy has nobody open left to be for: it waits, unattached.
        let third = self.event("t", .delivered, number: "138****5678")
        let again = StatusAttachment.plan(events: [first, second, third], recipients: [a, b])
        #expect(again.attachments.map(\.eventID) == [first.id, second.id])
        // Once every number of the mask has its final report, a copy repeats what is known.
        let closed = [self.recipient("t", "+8613812345678", .delivered), self.recipient("t", "+8613899995678", .failed)]
        let late = StatusAttachment.plan(events: [third], recipients: closed)
        #expect(late.attachments.map(\.recipientID) == [closed[0].id])
        #expect(late.rounds.isEmpty)
    }

    /// The issue's case: two numbers masked alike, different outcomes, copies first. Neither can be
    /// placed without a guess, so neither is.
    @Test func maskedCopiesThatDisagreeOrDoNotCoverTheirNumbersWait() {
        let a = self.recipient("t", "+8615912347532")
        let b = self.recipient("t", "+8615900007532")
        let delivered = self.event("t", .delivered, number: "159****7532")
        let undelivered = self.event("t", .undelivered, number: "159****7532")
        #expect(StatusAttachment.plan(events: [delivered, undelivered], recipients: [a, b]).attachments.isEmpty)
        #expect(StatusAttachment.plan(events: [delivered], recipients: [a, b]).attachments.isEmpty)
        // The same code in a different state still disagrees.
        var failed = self.event("t", .failed, number: "159****7532")
        failed.code = delivered.code
        #expect(StatusAttachment.plan(events: [delivered, failed], recipients: [a, b]).attachments.isEmpty)
    }

    /// A report naming one number settles a copy for the other, in the same plan or a later one.
    @Test func aMaskedCopyIsAttributedByElimination() {
        let a = self.recipient("t", "+8615912347532")
        let b = self.recipient("t", "+8615900007532")
        let copy = self.event("t", .delivered, number: "159****7532")
        let push = self.event("t", .undelivered, e164: "+8615912347532")
        let plan = StatusAttachment.plan(events: [copy, push], recipients: [a, b])
        #expect(plan.attachments.map(\.eventID) == [push.id, copy.id])
        #expect(plan.attachments.map(\.recipientID) == [a.id, b.id])
        #expect(plan.rounds.flatMap { $0 }.map(\.state) == [.undelivered, .delivered])
        let later = StatusAttachment.plan(events: [copy], recipients: [self.recipient("t", "+8615912347532", .undelivered), b])
        #expect(later.attachments.map(\.recipientID) == [b.id])
    }

    /// Issue 31's defect: both copies held, then the first number's push comes without pairing with
    /// its own copy (its time differs, so the tally counts it as a report of its own). Every number's
    /// copy is among the held ones, so one of them is the pushed number's and says what its push said;
    /// the other is then the open number's, by elimination.
    @Test func heldCopiesOfEveryNumberLeaveTheOpenOnesByElimination() {
        let a = self.recipient("t", "+8615812340833")
        let b = self.recipient("t", "+8615899990833")
        let delivered = self.event("t", .delivered, number: "158****0833")
        let undelivered = self.event("t", .undelivered, number: "158****0833")
        let push = self.event("t", .delivered, e164: "+8615812340833")
        let plan = StatusAttachment.plan(events: [delivered, undelivered, push], recipients: [a, b])
        #expect(Set(plan.attachments.map(\.eventID)) == [push.id, delivered.id, undelivered.id])
        #expect(plan.attachments.first { $0.eventID == undelivered.id }?.recipientID == b.id)
        #expect(plan.attachments.first { $0.eventID == delivered.id }?.recipientID == a.id)
        #expect(plan.rounds.flatMap { $0 }.map(\.recipientID) == [a.id, b.id])
        #expect(plan.rounds.flatMap { $0 }.map(\.state) == [.delivered, .undelivered])
        // The same from a later plan, the pushed number's outcome read from its row.
        var closed = self.recipient("t", "+8615812340833", .delivered)
        closed.code = push.code
        let later = StatusAttachment.plan(events: [delivered, undelivered], recipients: [closed, b])
        #expect(later.attachments.first { $0.eventID == undelivered.id }?.recipientID == b.id)
        #expect(later.rounds.flatMap { $0 }.map(\.state) == [.undelivered])
        // No held copy says what the closed number's report said: the copies are not what was assumed, so none moves anyone.
        var otherCode = closed
        otherCode.code = "OTHER"
        #expect(StatusAttachment.plan(events: [delivered, undelivered], recipients: [otherCode, b]).attachments.isEmpty)
        // Fewer copies than numbers: the closed number's copy may not be among them, so the held pair stays held.
        let c = self.recipient("t", "+8615877770833")
        #expect(StatusAttachment.plan(events: [delivered, undelivered], recipients: [closed, b, c]).attachments.isEmpty)
    }

    /// An expiry the hub inferred gives way to the provider's final word, and only to that.
    @Test func anInferredExpiryGivesWayToAFinalReport() {
        let a = self.recipient("m", "+8613800000001", .expired, inferred: true)
        #expect(StatusAttachment.plan(events: [self.event("m", .sent)], recipients: [a]).rounds.isEmpty)
        #expect(StatusAttachment.plan(events: [self.event("m", .unknown)], recipients: [a]).rounds.isEmpty)
        let delivered = StatusAttachment.plan(events: [self.event("m", .delivered)], recipients: [a])
        #expect(delivered.rounds.map { $0.map(\.state) } == [[.delivered]])
        let reported = self.recipient("m", "+8613800000001", .expired)
        #expect(StatusAttachment.plan(events: [self.event("m", .delivered)], recipients: [reported]).rounds.isEmpty)
    }

    @Test func movesOfOneRecipientAreInRoundsAndNeverBackwards() {
        let a = self.recipient("m", "+8613800000001", .queued)
        let events = [
            self.event("m", .submitted, at: 1), self.event("m", .sent, at: 2), self.event("m", .submitted, at: 3),
            self.event("m", .delivered, at: 4), self.event("m", .failed, at: 5),
        ]
        let plan = StatusAttachment.plan(events: events, recipients: [a])
        #expect(plan.attachments.count == 5)
        #expect(plan.rounds.map { $0.map(\.state) } == [[.submitted], [.sent], [.delivered]])
        #expect(plan.rounds[2][0].occurredAt == Date(timeIntervalSince1970: 4))
        // A terminal recipient is not moved again.
        let done = self.recipient("m", "+8613800000001", .delivered)
        #expect(StatusAttachment.plan(events: events, recipients: [done]).rounds.isEmpty)
    }

    @Test func aLongMessageIsDeliveredWhenEveryPartIs() {
        let a = self.recipient("m", "+8613800000001")
        let part1 = self.event("m", .delivered, part: 1, of: 3)
        let part2 = self.event("m", .delivered, part: 2, of: 3)
        let part2again = self.event("m", .delivered, part: 2, of: 3)
        let part3 = self.event("m", .delivered, part: 3, of: 3)
        #expect(StatusAttachment.needsDeliveredParts(part1))
        #expect(!StatusAttachment.needsDeliveredParts(self.event("m", .delivered)))
        let partial = StatusAttachment.plan(events: [part1, part2, part2again], recipients: [a])
        #expect(partial.rounds.map { $0.map(\.state) } == [[.sent]])
        let whole = StatusAttachment.plan(events: [part1, part2, part2again, part3], recipients: [a])
        #expect(whole.rounds.map { $0.map(\.state) } == [[.sent], [.delivered]])
        // Parts reported in earlier batches count too.
        let later = StatusAttachment.plan(events: [part3], recipients: [a], deliveredParts: [a.id: [1, 2]])
        #expect(later.rounds.map { $0.map(\.state) } == [[.delivered]])
    }

    /// A whole Gateway task: 3,000 recipients, every report masked, out of order. Each lands on its own
    /// recipient (numbers here differ in the shown digits).
    @Test func aWholeTaskOfMaskedReportsLandsOneToOne() {
        let recipients = (0..<3000).map { self.recipient("task", "+86139\(String(format: "%04d", $0))\(String(format: "%04d", $0))") }
        let masked = recipients.map { "139****" + String($0.numberE164.suffix(4)) }
        let events = masked.indices.reversed().map { self.event("task", .delivered, number: masked[$0]) }
        let plan = StatusAttachment.plan(events: events, recipients: recipients)
        #expect(plan.attachments.count == 3000)
        #expect(plan.attachments.map(\.recipientID) == recipients.reversed().map(\.id))
        #expect(plan.rounds.count == 1 && plan.rounds[0].count == 3000)
    }
}
