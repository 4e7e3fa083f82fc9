import Cryptography
import Foundation

/// EngageLab SMSHook callbacks (docs/providers.md §2): signed headers, a JSON body with exactly one of
/// `status`, `response` or `notification`.
public enum EngageLabCallbackParser {
    public static func parse(_ request: CallbackRequest, account: CallbackAccountContext) throws(CallbackError) -> ParsedCallback {
        guard request.mediaType == "application/json" else { throw .unsupportedMediaType("application/json") }
        let body = try JSONObject.parse(request.body)
        // The URL check EngageLab sends when a callback URL is saved, signed or not.
        if body.isEmpty { return ParsedCallback(events: [], isURLCheck: true) }
        try EngageLabSignature.verify(request, appKey: account.settings["app_key"] ?? "", secret: account.secrets["app_secret"] ?? "")

        let raw = body.canonicalText
        let zone = account.settings.timeZone
        let tag = body.object("custom_args")?.string(EngageLabSend.tagMember)
        let itime = try self.itime(body)
        let kinds = ["status", "response", "notification"].filter { body.has($0) }
        guard kinds.count == 1 else {
            throw kinds.isEmpty ? .missingField("status, response or notification") : .malformed("more than one of status, response and notification")
        }
        if let status = body.object("status") {
            return ParsedCallback(events: try self.status(status, body: body, tag: tag, itime: itime, zone: zone, raw: raw))
        }
        if let response = body.object("response") {
            return ParsedCallback(events: [try self.reply(response, body: body, tag: tag, itime: itime, zone: zone, raw: raw)])
        }
        guard let notification = body.object("notification") else { throw .invalidField(kinds[0], "must be an object") }
        return ParsedCallback(events: [try self.notification(notification, itime: itime, raw: raw)])
    }

    static func itime(_ body: JSONObject) throws(CallbackError) -> Date? {
        guard body.has("itime") else { return nil }
        guard let millis = body.integer("itime"), let date = ProviderTime.unix(seconds: Double(millis) / 1000) else {
            throw .invalidField("itime", "must be epoch milliseconds between 2000 and 2100")
        }
        return date
    }

    static func status(
        _ status: JSONObject,
        body: JSONObject,
        tag: String?,
        itime: Date?,
        zone: TimeZone,
        raw: String
    ) throws(CallbackError) -> [ProviderEvent] {
        guard let kind = status.string("message_status"), !kind.isEmpty else { throw .missingField("status.message_status") }
        let data = status.object("status_data") ?? JSONObject([])
        switch kind {
        case "target", "sent":
            let state: DeliveryState = kind == "target" ? .submitted : .sent
            guard let ids = data.array("sms_ids") else { throw .missingField("status.status_data.sms_ids") }
            let numbers = data.array("to") ?? []
            guard ids.count <= maxBatch else {
                let reason = "engagelab \(kind) batch of \(ids.count) recipients, over the \(maxBatch) expanded: kept whole"
                return [.unrecognised(UnrecognisedEvent(reason: reason, raw: raw))]
            }
            var events: [ProviderEvent] = []
            events.reserveCapacity(ids.count)
            let shape = BatchRawShape(body)
            for (index, value) in ids.enumerated() {
                guard let smsID = JSONObject.text(value) else { throw .invalidField("status.status_data.sms_ids", "must hold strings") }
                let id = try FieldLimits.id(smsID, field: "status.status_data.sms_ids")
                let written = index < numbers.count ? JSONObject.text(numbers[index]) : recipient(of: id)
                let number = try FieldLimits.phone(written ?? recipient(of: id), field: "status.status_data.to")
                events.append(
                    .status(
                        StatusReport(
                            providerMessageID: AttemptTag.attachmentKey(tag: tag, providerID: id),
                            number: number,
                            state: state,
                            code: kind,
                            description: try FieldLimits.text(data.string("message"), field: "status.status_data.message"),
                            occurredAt: itime,
                            dedupKey: "el:s:\(id):\(kind)",
                            raw: ids.count == 1
                                ? raw : shape.raw(of: index, whole: raw, kind: kind, id: value, number: index < numbers.count ? numbers[index] : nil)
                        )
                    )
                )
            }
            return events
        case "delivered", "delivered_failed":
            let id = try FieldLimits.id(data.string("sms_id") ?? body.string("message_id"), field: "status.status_data.sms_id")
            let number = try FieldLimits.phone(body.string("to") ?? recipient(of: id), field: "to")
            let receipt = try localTime(data.string("receipt_time"), field: "status.status_data.receipt_time", zone: zone)
            let segments = data.integer("msg_count").map { Int(clamping: $0) }
            if let segments, !(0...255).contains(segments) { throw .invalidField("status.status_data.msg_count", "must be 0 to 255") }
            if kind == "delivered" {
                return [
                    .status(
                        StatusReport(
                            providerMessageID: AttemptTag.attachmentKey(tag: tag, providerID: id),
                            number: number,
                            state: .delivered,
                            code: "delivered",
                            description: try FieldLimits.text(data.string("message"), field: "status.status_data.message"),
                            occurredAt: receipt ?? itime,
                            segments: segments,
                            dedupKey: "el:s:\(id):delivered",
                            raw: raw
                        )
                    )
                ]
            }
            let detail = status.object("error_detail") ?? JSONObject([])
            let subStat = detail.integer("sub_stat") ?? status.integer("error_code")
            // sub_stat 4xx: the platform refused it; 5xx: the carrier could not deliver it.
            let state: DeliveryState = subStat.map { (500..<600).contains($0) } == true ? .undelivered : .failed
            let errorCode = try FieldLimits.code(status.string("error_code"), field: "status.error_code")
            let code = subStat.map(String.init) ?? errorCode
            return [
                .status(
                    StatusReport(
                        providerMessageID: AttemptTag.attachmentKey(tag: tag, providerID: id),
                        number: number,
                        state: state,
                        code: code,
                        description: try FieldLimits.text(
                            detail.string("sub_stat_desc") ?? detail.string("message"),
                            field: "status.error_detail.sub_stat_desc"
                        ),
                        occurredAt: receipt ?? itime,
                        segments: segments,
                        dedupKey: "el:s:\(id):delivered_failed",
                        raw: raw
                    )
                )
            ]
        default:
            return [.unrecognised(UnrecognisedEvent(reason: "engagelab status \(kind.prefix(utf8Bytes: 64))", raw: raw))]
        }
    }

    static func reply(
        _ response: JSONObject,
        body: JSONObject,
        tag: String?,
        itime: Date?,
        zone: TimeZone,
        raw: String
    ) throws(CallbackError) -> ProviderEvent {
        guard let event = response.string("event") else { throw .missingField("response.event") }
        guard event == "reply" else {
            return .unrecognised(UnrecognisedEvent(reason: "engagelab response \(event.prefix(utf8Bytes: 64))", raw: raw))
        }
        let data = response.object("response_data") ?? JSONObject([])
        let smsID = data.string("sms_id") ?? body.string("message_id")
        if let smsID { _ = try FieldLimits.id(smsID, field: "response.response_data.sms_id") }
        let number = try FieldLimits.phone(body.string("to") ?? smsID.flatMap(recipient(of:)), field: "to")
        // The seed documents reply_content as int; real replies are text. Accept both.
        let content = try FieldLimits.text(data.string("reply_content"), field: "response.response_data.reply_content", required: true)!
        let replied = try localTime(data.string("reply_time"), field: "response.response_data.reply_time", zone: zone)
        let key = "el:r:\(smsID ?? number.raw):\(data.string("reply_time") ?? ""):\(Digest.sha256.hex(content).prefix(32))"
        let repliedTo = smsID.map { AttemptTag.attachmentKey(tag: tag, providerID: $0) }
        return .reply(
            InboundReply(providerMessageID: repliedTo, number: number, content: content, repliedAt: replied ?? itime, dedupKey: key, raw: raw)
        )
    }

    static func notification(_ notification: JSONObject, itime: Date?, raw: String) throws(CallbackError) -> ProviderEvent {
        guard let event = notification.string("event") else { throw .missingField("notification.event") }
        guard event == "template_approval" else {
            return .unrecognised(UnrecognisedEvent(reason: "engagelab notification \(event.prefix(utf8Bytes: 64))", raw: raw))
        }
        let data = notification.object("notification_data") ?? JSONObject([])
        let template = try FieldLimits.id(data.string("template_id"), field: "notification.notification_data.template_id")
        let status = try FieldLimits.code(data.string("approval_status"), field: "notification.notification_data.approval_status") ?? ""
        let result: ReviewResult.Result = status == "1" ? .approved : (status == "2" ? .rejected : .unknown)
        let reason = try FieldLimits.text(data.string("approval_message"), field: "notification.notification_data.approval_message")
        return .review(
            ReviewResult(
                kind: .template,
                subject: template,
                result: result,
                reason: reason,
                occurredAt: itime,
                dedupKey: "el:t:\(template):\(status):\(itime.map { String(Int64(($0.timeIntervalSince1970 * 1000).rounded())) } ?? "")",
                raw: raw
            )
        )
    }

    /// The most recipients of one `target` or `sent` callback expanded into status events. Each is a
    /// row, and the answer is due within 3 s (docs/providers.md §2.1): 10,000 took 0.8 s to store on a
    /// quiet day here (`bench/amplification`), too near the 1 s the hub allows itself; the 1 MiB body
    /// limit alone would allow 65,000 short ids. A larger batch is acknowledged and kept whole as one
    /// unrecognised receipt: its statuses are intermediate, and each recipient's final one arrives in
    /// a callback of its own.
    package static let maxBatch = 5_000

    /// `<batch>$<recipient>` → the recipient part.
    static func recipient(of smsID: String) -> String? {
        guard let dollar = smsID.lastIndex(of: "$") else { return nil }
        let number = smsID[smsID.index(after: dollar)...]
        return number.isEmpty ? nil : String(number)
    }

    static func localTime(_ text: String?, field: String, zone: TimeZone) throws(CallbackError) -> Date? {
        guard let text, !text.isEmpty else { return nil }
        guard let date = ProviderTime.local(text, in: zone) else { throw .invalidField(field, "must be yyyy-MM-dd HH:mm:ss") }
        return date
    }
}
