import Cryptography
public import Foundation

/// Gateway API v1 pushes (docs/providers.md §1.5): one status or one reply per request, JSON or form,
/// unsigned (the URL token is the only authentication).
public enum GatewayCallbackParser {
    public static func parseStatus(_ request: CallbackRequest, account: CallbackAccountContext) throws(CallbackError) -> ParsedCallback {
        let (fields, raw) = try FlexibleFields.fields(of: request, allowJSON: true, allowForm: true)
        return ParsedCallback(events: [.status(try status(fields, raw: raw, zone: account.settings.timeZone))])
    }

    public static func parseReply(_ request: CallbackRequest, account: CallbackAccountContext) throws(CallbackError) -> ParsedCallback {
        let (fields, raw) = try FlexibleFields.fields(of: request, allowJSON: true, allowForm: true)
        return ParsedCallback(events: [.reply(try reply(fields, raw: raw, zone: account.settings.timeZone))])
    }

    /// One status report, pushed or pulled (`/api/v1/report` items have the same fields).
    ///
    /// Its identity uses the number's mask, so a push (full number) and the pull of the same report
    /// (masked) share it; the store's tally of copies (`GatewayCopyTally`) tells numbers masked alike apart.
    public static func status(_ fields: [String: String], raw: String, zone: TimeZone) throws(CallbackError) -> StatusReport {
        let sendID = try FieldLimits.id(fields["sendId"], field: "sendId")
        let number = try FieldLimits.phone(fields["mobile"], field: "mobile")
        let code = try FieldLimits.id(fields["status"]?.trimmingCharacters(in: .whitespaces), field: "status")
        guard code.utf8.count <= FieldLimits.codeLength else { throw .invalidField("status", "is longer than \(FieldLimits.codeLength) bytes") }
        let times = try time(fields["times"], zone: zone)
        let entry = CarrierStatusCodes.lookup(code)
        let copy = self.copy(of: number, identity: "s:\(sendID):\(number.gatewayMask):\(code):\(fields["times"] ?? "")")
        return StatusReport(
            providerMessageID: sendID,
            number: number,
            state: entry.state,
            code: entry.code,
            description: entry.description,
            occurredAt: times,
            dedupKey: copy.dedupKey(slot: 0),
            gatewayCopy: copy,
            raw: raw
        )
    }

    /// One reply, pushed or pulled (`/api/v1/mo`).
    public static func reply(_ fields: [String: String], raw: String, zone: TimeZone) throws(CallbackError) -> InboundReply {
        let number = try FieldLimits.phone(fields["mobile"], field: "mobile")
        let content = try FieldLimits.text(fields["content"], field: "content", required: true)!
        let extNo = try FieldLimits.text(fields["extNo"], field: "extNo")
        if let extNo, extNo.utf8.count > 32 { throw .invalidField("extNo", "is longer than 32 bytes") }
        let times = try time(fields["times"], zone: zone)
        // The gateway gives replies no id: the number, time, extension and text together identify one.
        let copy = self.copy(
            of: number,
            identity: "r:\(number.gatewayMask):\(fields["times"] ?? ""):\(extNo ?? ""):\(Digest.sha256.hex(content).prefix(32))"
        )
        return InboundReply(
            providerMessageID: nil,
            number: number,
            content: content,
            extNo: extNo,
            repliedAt: times,
            dedupKey: copy.dedupKey(slot: 0),
            gatewayCopy: copy,
            raw: raw
        )
    }

    /// A pushed number is exact (E.164); a pulled, masked one (no E.164) is a copy of one of the numbers masked alike.
    static func copy(of number: PhoneNumber, identity: String) -> GatewayCopy {
        GatewayCopy(identity: identity, pushedNumber: number.e164)
    }

    static func time(_ text: String?, zone: TimeZone) throws(CallbackError) -> Date? {
        guard let text, !text.isEmpty else { return nil }
        guard let date = ProviderTime.local(text, in: zone) else { throw .invalidField("times", "must be yyyy-MM-dd HH:mm:ss") }
        return date
    }
}
