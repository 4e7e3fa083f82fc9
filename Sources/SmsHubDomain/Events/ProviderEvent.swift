public import Foundation

/// What one provider callback (or pull) says, normalised. The raw JSON is kept with every event.
public enum ProviderEvent: Sendable, Equatable {
    case status(StatusReport)
    case reply(InboundReply)
    case review(ReviewResult)
    /// An event type this version does not know: stored raw, counted, acknowledged.
    case unrecognised(UnrecognisedEvent)
}

public struct StatusReport: Sendable, Equatable {
    /// The provider's id for the recipient's message (Gateway: our task id).
    public var providerMessageID: String
    public var number: PhoneNumber?
    package var state: DeliveryState
    public var code: String?
    public var description: String?
    public var occurredAt: Date?
    /// Long-message part (Huawei), when the report is for one part of several.
    public var partSequence: Int?
    public var partTotal: Int?
    public var segments: Int?
    public var dedupKey: String
    /// A Gateway report's copy: the store counts it in its identity's tally, then stores it under the
    /// slot it gets or drops it as a duplicate (`dedupKey` is the first slot until then).
    package var gatewayCopy: GatewayCopy?
    public var raw: String

    package init(
        providerMessageID: String,
        number: PhoneNumber?,
        state: DeliveryState,
        code: String? = nil,
        description: String? = nil,
        occurredAt: Date? = nil,
        partSequence: Int? = nil,
        partTotal: Int? = nil,
        segments: Int? = nil,
        dedupKey: String,
        gatewayCopy: GatewayCopy? = nil,
        raw: String
    ) {
        self.providerMessageID = providerMessageID
        self.number = number
        self.state = state
        self.code = code
        self.description = description
        self.occurredAt = occurredAt
        self.partSequence = partSequence
        self.partTotal = partTotal
        self.segments = segments
        self.dedupKey = dedupKey
        self.gatewayCopy = gatewayCopy
        self.raw = raw
    }
}

public struct InboundReply: Sendable, Equatable {
    /// The provider's id of the message replied to, when it says (EngageLab, SUBMAIL), or of the reply itself (Huawei).
    public var providerMessageID: String?
    public var number: PhoneNumber
    public var content: String
    public var extNo: String?
    public var repliedAt: Date?
    public var dedupKey: String
    /// A Gateway reply's copy, counted like a report's (see `StatusReport.gatewayCopy`).
    package var gatewayCopy: GatewayCopy?
    public var raw: String

    package init(
        providerMessageID: String?,
        number: PhoneNumber,
        content: String,
        extNo: String? = nil,
        repliedAt: Date?,
        dedupKey: String,
        gatewayCopy: GatewayCopy? = nil,
        raw: String
    ) {
        self.providerMessageID = providerMessageID
        self.number = number
        self.content = content
        self.extNo = extNo
        self.repliedAt = repliedAt
        self.dedupKey = dedupKey
        self.gatewayCopy = gatewayCopy
        self.raw = raw
    }
}

public struct ReviewResult: Sendable, Equatable {
    package enum Kind: String, Sendable, CaseIterable { case template, signature }
    public enum Result: String, Sendable, CaseIterable { case approved, rejected, unknown }
    package var kind: Kind
    /// The template id, or the signature text such as `【SUBMAIL】`.
    public var subject: String
    package var result: Result
    public var reason: String?
    public var occurredAt: Date?
    public var dedupKey: String
    public var raw: String

    package init(kind: Kind, subject: String, result: Result, reason: String?, occurredAt: Date?, dedupKey: String, raw: String) {
        self.kind = kind
        self.subject = subject
        self.result = result
        self.reason = reason
        self.occurredAt = occurredAt
        self.dedupKey = dedupKey
        self.raw = raw
    }
}

public struct UnrecognisedEvent: Sendable, Equatable {
    public var reason: String
    public var raw: String

    package init(reason: String, raw: String) {
        self.reason = reason
        self.raw = raw
    }
}
