import Foundation
import Hummingbird
import SmsHubDomain

/// JSON shapes of the query API. Every resource names things the same way: `provider_account_id`,
/// `message_id`, `recipient_id`, `number` as written with `number_e164`, `status` with `status_code`
/// and `status_description`, and `*_at` times in RFC 3339.

struct StatusEventRepresentation: Encodable, Sendable {
    var id: String
    var providerAccountId: String
    var provider: String
    var messageId: String?
    var recipientId: String?
    var providerMessageId: String
    var number: String?
    var numberE164: String?
    var status: String
    var statusCode: String?
    var statusDescription: String?
    var partSequence: Int?
    var partTotal: Int?
    var segments: Int?
    var occurredAt: Date?
    var receivedAt: Date
    var source: String

    init(_ event: StatusEventRecord) {
        self.id = event.id.apiString
        self.providerAccountId = event.providerAccountID.apiString
        self.provider = event.provider
        self.messageId = event.messageID?.apiString
        self.recipientId = event.recipientID?.apiString
        self.providerMessageId = event.providerMessageID
        self.number = event.number?.raw
        self.numberE164 = event.number?.e164
        self.status = event.status.rawValue
        self.statusCode = event.statusCode
        self.statusDescription = event.statusDescription
        self.partSequence = event.partSequence
        self.partTotal = event.partTotal
        self.segments = event.segments
        self.occurredAt = event.occurredAt
        self.receivedAt = event.receivedAt
        self.source = event.source
    }
}

struct RecipientRepresentation: ResponseEncodable {
    var id: String
    var messageId: String
    var providerAccountId: String
    var number: String
    var numberE164: String?
    var providerMessageId: String?
    var status: String
    var statusCode: String?
    var statusDescription: String?
    var statusAt: Date?
    var createdAt: Date
    var submittedAt: Date?
    var sentAt: Date?
    var completedAt: Date?
    var events: [StatusEventRepresentation]
    var attempts: [SendAttemptRepresentation]

    init(_ history: RecipientHistory) {
        let recipient = history.recipient
        self.id = recipient.id.apiString
        self.messageId = history.messageID.apiString
        self.providerAccountId = history.providerAccountID.apiString
        self.number = recipient.number.raw
        self.numberE164 = recipient.number.e164
        self.providerMessageId = history.providerMessageID
        self.status = recipient.status.rawValue
        self.statusCode = recipient.statusCode
        self.statusDescription = recipient.statusDescription
        self.statusAt = recipient.statusAt
        self.createdAt = history.createdAt
        self.submittedAt = history.submittedAt
        self.sentAt = history.sentAt
        self.completedAt = history.completedAt
        self.events = history.events.map(StatusEventRepresentation.init)
        self.attempts = history.attempts.map(SendAttemptRepresentation.init)
    }
}

struct SendAttemptRepresentation: Encodable, Sendable {
    var providerAccountId: String
    var step: Int
    var outcome: String
    var providerMessageId: String?
    var code: String?
    var description: String?
    var createdAt: Date
    var completedAt: Date?

    init(_ attempt: SendAttemptRecord) {
        self.providerAccountId = attempt.providerAccountID.apiString
        self.step = attempt.step
        self.outcome = attempt.outcome
        self.providerMessageId = attempt.providerMessageID
        self.code = attempt.code
        self.description = attempt.description
        self.createdAt = attempt.createdAt
        self.completedAt = attempt.completedAt
    }
}

struct ReplyRepresentation: ResponseEncodable {
    var id: String
    var providerAccountId: String
    var provider: String
    var providerMessageId: String?
    var messageId: String?
    var recipientId: String?
    var number: String
    var numberE164: String?
    var content: String
    var extNo: String?
    var repliedAt: Date?
    var receivedAt: Date
    var source: String
    var redactedAt: Date?

    init(_ reply: ReplyRecord) {
        self.id = reply.id.apiString
        self.providerAccountId = reply.providerAccountID.apiString
        self.provider = reply.provider
        self.providerMessageId = reply.providerMessageID
        self.messageId = reply.messageID?.apiString
        self.recipientId = reply.recipientID?.apiString
        self.number = reply.number.raw
        self.numberE164 = reply.number.e164
        self.content = reply.content
        self.extNo = reply.extNo
        self.repliedAt = reply.repliedAt
        self.receivedAt = reply.receivedAt
        self.source = reply.source
        self.redactedAt = reply.redactedAt
    }
}

struct BalanceRecordRepresentation: Encodable, Sendable {
    var id: String
    var providerAccountId: String
    var provider: String
    var balance: Decimal
    var payment: String?
    var observedAt: Date

    init(_ balance: BalanceRecord) {
        self.id = balance.id.apiString
        self.providerAccountId = balance.providerAccountID.apiString
        self.provider = balance.provider
        self.balance = balance.balance
        self.payment = balance.payment
        self.observedAt = balance.observedAt
    }
}

struct ReviewEventRepresentation: Encodable, Sendable {
    var id: String
    var providerAccountId: String
    var provider: String
    var kind: String
    var subject: String
    var result: String
    var reason: String?
    var occurredAt: Date?
    var receivedAt: Date

    init(_ event: ReviewEventRecord) {
        self.id = event.id.apiString
        self.providerAccountId = event.providerAccountID.apiString
        self.provider = event.provider
        self.kind = event.kind.rawValue
        self.subject = event.subject
        self.result = event.result.rawValue
        self.reason = event.reason
        self.occurredAt = event.occurredAt
        self.receivedAt = event.receivedAt
    }
}

struct DailySummaryRepresentation: Encodable, Sendable {
    var date: String
    var providerAccountId: String
    var provider: String
    var sent: Int
    var delivered: Int
    var failed: Int
    var pending: Int

    init(_ row: DailySummaryRow) {
        self.date = row.day.description
        self.providerAccountId = row.providerAccountID.apiString
        self.provider = row.provider
        self.sent = row.sent
        self.delivered = row.delivered
        self.failed = row.failed
        self.pending = row.pending
    }
}

extension ListRepresentation {
    init<Record>(_ page: Page<Record>, _ pagination: Pagination, _ transform: (Record) -> Item) {
        self.init(items: page.items.map(transform), nextCursor: pagination.nextToken(page))
    }
}
