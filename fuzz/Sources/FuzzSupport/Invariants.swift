import Foundation
import SmsHubDomain

/// What every parsed event must satisfy to be stored: the promises the parsers make to the store.
/// A breach stops the fuzzer with the input that caused it (each target turns it into a crash).
public enum Invariants {
    /// `received` is the size of what the request carried (its body, or a GET's query).
    public static func check(_ parsed: ParsedCallback, received: Int) {
        for event in parsed.events { self.check(event) }
        self.bounded(parsed.events, received: received)
    }

    /// The raw payloads of one request store at most twice what it carried plus a small constant per
    /// event (docs/decisions/0014-raw-payloads-bounded-by-the-body.md): no body multiplies itself.
    public static let rawBytesPerEvent = 1_280

    public static func bounded(_ events: [ProviderEvent], received: Int) {
        var stored = 0
        for event in events {
            switch event {
            case .status(let report): stored += report.raw.utf8.count
            case .reply(let reply): stored += reply.raw.utf8.count
            case .review(let review): stored += review.raw.utf8.count
            case .unrecognised(let unknown): stored += unknown.raw.utf8.count
            }
        }
        let allowed = 2 * received + rawBytesPerEvent * events.count
        require(stored <= allowed, "\(stored) raw bytes stored for \(received) received and \(events.count) events")
    }

    public static func check(_ event: ProviderEvent) {
        switch event {
        case .status(let report):
            self.id(report.providerMessageID)
            self.key(report.dedupKey)
            if let number = report.number { self.number(number) }
            self.text(report.code, max: 64)
            self.text(report.description, max: 4000)
            self.time(report.occurredAt)
            if let part = report.partSequence { require((1...99).contains(part), "part sequence \(part)") }
            if let total = report.partTotal { require((1...99).contains(total), "part total \(total)") }
            if let segments = report.segments { require((0...255).contains(segments), "segments \(segments)") }
            self.raw(report.raw)
        case .reply(let reply):
            if let id = reply.providerMessageID { self.id(id) }
            self.key(reply.dedupKey)
            self.number(reply.number)
            self.text(reply.content, max: 4000)
            require(!reply.content.isEmpty, "empty reply")
            self.text(reply.extNo, max: 32)
            self.time(reply.repliedAt)
            self.raw(reply.raw)
        case .review(let review):
            self.text(review.subject, max: 128)
            self.key(review.dedupKey)
            self.text(review.reason, max: 4000)
            self.time(review.occurredAt)
            self.raw(review.raw)
        case .unrecognised(let unknown):
            self.text(unknown.reason, max: 200)
            self.raw(unknown.raw)
        }
    }

    /// Text PostgreSQL stores: no NUL, within its documented cap.
    public static func text(_ value: String?, max: Int) {
        guard let value else { return }
        require(!value.utf8.contains(0), "NUL in \(value.debugDescription)")
        require(value.utf8.count <= max, "\(value.utf8.count) bytes, over \(max)")
    }

    static func id(_ value: String) {
        require(!value.isEmpty, "empty id")
        self.text(value, max: 128)
    }

    /// Dedup keys go into a unique index, whose entries PostgreSQL caps near 2.7 kB.
    static func key(_ value: String) {
        self.text(value, max: 1024)
    }

    static func number(_ number: PhoneNumber) {
        self.text(number.raw, max: 64)
        if let e164 = number.e164 {
            require(e164.first == "+" && e164.utf8.dropFirst().allSatisfy { (48...57).contains($0) } && e164.utf8.count <= 16, "E.164 \(e164)")
        }
    }

    /// Provider times are accepted from 2000 to 2100 only.
    static func time(_ date: Date?) {
        guard let date else { return }
        require((946_684_800 - 86_400...4_102_444_800 + 86_400).contains(date.timeIntervalSince1970), "time \(date)")
    }

    /// The raw payload goes into a jsonb column: it must be JSON the hub's own reader accepts.
    static func raw(_ text: String) {
        do {
            let value = try JSONReader.parse(Array(text.utf8), duplicates: .refuse)
            require(value.canonicalText == text, "raw payload is not canonical")
        } catch {
            fatalError("raw payload is not storable JSON: \(error)")
        }
    }

    public static func require(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { fatalError("invariant broken: \(message())") }
    }
}

/// A fuzzer's input: a first byte choosing a variant (a media type, a route), the rest as the body.
public struct FuzzInput {
    public let selector: UInt8
    public let body: [UInt8]

    public init(_ start: UnsafeRawPointer, _ count: Int) {
        let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
        self.selector = bytes.first ?? 0
        self.body = Array(bytes.dropFirst())
    }
}
