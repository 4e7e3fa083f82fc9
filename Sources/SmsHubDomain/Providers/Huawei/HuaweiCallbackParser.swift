import Foundation

/// Huawei Cloud status reports and replies (docs/providers.md §4): form-encoded single reports, JSON
/// batches of up to 50, form-encoded replies; unsigned (the URL token authenticates).
public enum HuaweiCallbackParser {
    package static let maxBatch = 50

    public static func parseStatus(_ request: CallbackRequest, account: CallbackAccountContext) throws(CallbackError) -> ParsedCallback {
        switch request.mediaType {
        case "application/json":
            let body = try JSONObject.parse(request.body)
            guard let list = body.array("statusReportList") else { throw .missingField("statusReportList") }
            guard !list.isEmpty else { throw .invalidField("statusReportList", "is empty") }
            guard list.count <= maxBatch else { throw .invalidField("statusReportList", "has more than \(maxBatch) reports") }
            var events: [ProviderEvent] = []
            for item in list {
                guard case .object(let members) = item else { throw .invalidField("statusReportList", "must hold objects") }
                let object = JSONObject(members)
                events.append(.status(try report(object.textFields, raw: object.canonicalText)))
            }
            return ParsedCallback(events: events)
        case "application/x-www-form-urlencoded":
            let fields = try FormBody.urlEncoded(request.body)
            return ParsedCallback(events: [.status(try report(fields, raw: JSONObject.serialise(fields)))])
        default:
            throw .unsupportedMediaType("application/x-www-form-urlencoded or application/json")
        }
    }

    public static func parseReply(_ request: CallbackRequest, account: CallbackAccountContext) throws(CallbackError) -> ParsedCallback {
        let (fields, raw) = try FlexibleFields.fields(of: request, allowJSON: true, allowForm: true)
        let id = try FieldLimits.id(fields["smsMsgId"], field: "smsMsgId")
        let number = try FieldLimits.phone(fields["from"], field: "from")
        let content = try FieldLimits.text(fields["body"], field: "body", required: true)!
        let created = try utc(fields["createTime"], field: "createTime")
        // `to` is our channel number; kept in the raw payload.
        return ParsedCallback(events: [
            .reply(InboundReply(providerMessageID: id, number: number, content: content, repliedAt: created, dedupKey: "hw:r:\(id)", raw: raw))
        ])
    }

    static func report(_ fields: [String: String], raw: String) throws(CallbackError) -> StatusReport {
        let id = try FieldLimits.id(fields["smsMsgId"], field: "smsMsgId")
        let code = try FieldLimits.id(fields["status"], field: "status")
        guard code.utf8.count <= FieldLimits.codeLength else { throw .invalidField("status", "is longer than \(FieldLimits.codeLength) bytes") }
        let total = try part(fields["total"], field: "total") ?? 1
        let sequence = try part(fields["sequence"], field: "sequence") ?? 1
        guard sequence <= total else { throw .invalidField("sequence", "is greater than total") }
        // `to` comes only with `extend`; without it the report is matched by smsMsgId alone.
        let number = try fields["to"].flatMap { $0.isEmpty ? nil : $0 }.map { (text: String) throws(CallbackError) -> PhoneNumber in
            try FieldLimits.phone(text, field: "to")
        }
        let entry = CarrierStatusCodes.lookup(code)
        let description = try FieldLimits.text(fields["statusDesc"], field: "statusDesc") ?? entry.description
        return StatusReport(
            providerMessageID: AttemptTag.attachmentKey(tag: fields["extend"], providerID: id),
            number: number,
            state: entry.state,
            code: entry.code,
            description: description,
            occurredAt: try utc(fields["updateTime"], field: "updateTime"),
            partSequence: total > 1 ? sequence : nil,
            partTotal: total > 1 ? total : nil,
            dedupKey: "hw:s:\(id):\(sequence):\(entry.code)",
            raw: raw
        )
    }

    static func part(_ text: String?, field: String) throws(CallbackError) -> Int? {
        guard let text, !text.isEmpty else { return nil }
        guard let value = Int(text), (1...99).contains(value) else { throw .invalidField(field, "must be 1 to 99") }
        return value
    }

    static func utc(_ text: String?, field: String) throws(CallbackError) -> Date? {
        guard let text, !text.isEmpty else { return nil }
        guard let date = ProviderTime.utc(text) else { throw .invalidField(field, "must be yyyy-MM-ddTHH:mm:ssZ") }
        return date
    }
}
