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

    @Test func numbersSharingAMaskAreTakenInOrder() {
        let a = self.recipient("t", "+8613812345678")
        let b = self.recipient("t", "+8613899995678")
        let first = self.event("t", .delivered, number: "138****5678")
        let second = self.event("t", .delivered, number: "138****5678")
        let plan = StatusAttachment.plan(events: [first, second], recipients: [a, b])
        #expect(plan.attachments.map(\.recipientID) == [a.id, b.id])
        #expect(plan.rounds.flatMap { $0 }.map(\.recipientID) == [a.id, b.id])
        // A third report finds nobody left to move; it still attaches to the first that fits.
        let third = self.event("t", .delivered, number: "138****5678")
        let again = StatusAttachment.plan(events: [first, second, third], recipients: [a, b])
        #expect(again.attachments.map(\.recipientID) == [a.id, b.id, a.id])
        #expect(again.rounds.flatMap { $0 }.count == 2)
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
    /// recipient (numbers here differ in the shown digits), and a repeat of the mask goes to the next one.
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
