import Cryptography
import Foundation

/// SUBMAIL SUBHOOK events (docs/providers.md §3): POST as JSON, form or multipart, or GET with a query
/// string; every event signed with token + SUBHOOK key.
public enum SubmailCallbackParser {
    public static func parse(_ request: CallbackRequest, account: CallbackAccountContext) throws(CallbackError) -> ParsedCallback {
        let (fields, raw) = try FlexibleFields.fields(
            of: request,
            allowJSON: true,
            allowForm: true,
            allowMultipart: true,
            signatureFields: ["signature"],
            credentialFields: ["token", "signature"]
        )
        try SubmailSignature.verify(fields: fields, key: account.secrets["subhook_key"] ?? "")
        let events = [try event(fields, raw: raw, zone: account.settings.timeZone)]
        // Only the token is signed: remembered, it cannot sign a second, different event.
        return ParsedCallback(events: events, oneUseToken: OneUseToken(token: fields["token"] ?? "", events: events))
    }

    static func event(_ fields: [String: String], raw: String, zone: TimeZone) throws(CallbackError) -> ProviderEvent {
        guard let kind = fields["events"], !kind.isEmpty else { throw .missingField("events") }
        let timestamp = try self.timestamp(fields["timestamp"])
        let stamp = fields["timestamp"] ?? ""
        switch kind {
        case "request", "sending", "delivered", "dropped", "unknown", "unkown":
            let sendID = try FieldLimits.id(fields["send_id"], field: "send_id")
            let number = try FieldLimits.phone(fields["address"], field: "address")
            var state: DeliveryState
            var code: String? = kind
            var description: String?
            switch kind {
            case "request": state = .submitted
            case "sending": state = .sent
            case "delivered":
                state = .delivered
                description = [fields["operator"], fields["location"]].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ").nilIfEmpty
            case "dropped":
                state = .undelivered
                let report = fields["report"]?.trimmingCharacters(in: .whitespaces)
                if let report, report.utf8.count > FieldLimits.codeLength {
                    throw .invalidField("report", "is longer than \(FieldLimits.codeLength) bytes")
                }
                code = report?.nilIfEmpty ?? kind
                let reportDescription = try FieldLimits.text(fields["report_desc"], field: "report_desc")
                description = reportDescription ?? report.flatMap { CarrierStatusCodes.lookup($0).description }
            default:
                // `unkown` is SUBMAIL's own spelling in its docs and demo.
                state = .unknown
                code = "unknown"
            }
            return .status(
                StatusReport(
                    providerMessageID: AttemptTag.attachmentKey(tag: fields["tag"], providerID: sendID),
                    number: number,
                    state: state,
                    code: code,
                    description: description,
                    occurredAt: timestamp,
                    dedupKey: "sm:s:\(sendID):\(code == "unknown" ? "unknown" : kind)",
                    raw: raw
                )
            )
        case "mo":
            let number = try FieldLimits.phone(fields["address"], field: "address")
            let content = try FieldLimits.text(fields["content"], field: "content", required: true)!
            let sendID = fields["send_id"]?.nilIfEmpty
            if let sendID { _ = try FieldLimits.id(sendID, field: "send_id") }
            let key = "sm:r:\(sendID ?? ""):\(number.raw):\(stamp):\(Digest.sha256.hex(content).prefix(32))"
            let replied = sendID.map { AttemptTag.attachmentKey(tag: fields["tag"], providerID: $0) }
            return .reply(InboundReply(providerMessageID: replied, number: number, content: content, repliedAt: timestamp, dedupKey: key, raw: raw))
        case "template_accept", "template_reject":
            let template = try FieldLimits.id(fields["template_id"], field: "template_id")
            let accepted = kind == "template_accept"
            return .review(
                ReviewResult(
                    kind: .template,
                    subject: template,
                    result: accepted ? .approved : .rejected,
                    reason: accepted ? nil : try FieldLimits.text(fields["reason"], field: "reason"),
                    occurredAt: timestamp,
                    dedupKey: "sm:t:\(template):\(kind):\(stamp)",
                    raw: raw
                )
            )
        case "sms_signature":
            let signature = try FieldLimits.id(fields["sms_signature"], field: "sms_signature")
            let status = try FieldLimits.code(fields["status"], field: "status") ?? ""
            let result: ReviewResult.Result = status == "1" ? .approved : (status == "2" ? .rejected : .unknown)
            return .review(
                ReviewResult(
                    kind: .signature,
                    subject: signature,
                    result: result,
                    reason: try FieldLimits.text(fields["reason"], field: "reason"),
                    occurredAt: timestamp,
                    dedupKey: "sm:g:\(Digest.sha256.hex(signature).prefix(32)):\(status):\(stamp)",
                    raw: raw
                )
            )
        default:
            return .unrecognised(UnrecognisedEvent(reason: "submail event \(kind.prefix(utf8Bytes: 64))", raw: raw))
        }
    }

    /// Unix seconds, number or string (in form encodings, always a string).
    static func timestamp(_ text: String?) throws(CallbackError) -> Date? {
        guard let text, !text.isEmpty else { return nil }
        guard let seconds = Int64(text), let date = ProviderTime.unix(seconds: Double(seconds)) else {
            throw .invalidField("timestamp", "must be Unix seconds between 2000 and 2100")
        }
        return date
    }
}

extension String {
    var nilIfEmpty: String? { self.isEmpty ? nil : self }
}
