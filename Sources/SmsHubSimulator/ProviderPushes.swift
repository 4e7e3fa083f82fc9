import Cryptography
package import Foundation
import SmsHubDomain

/// Callbacks in the formats of the other providers, correctly signed, for a given message: what the
/// simulator pushes when asked, so end-to-end tests and demos can exercise every callback endpoint.
package enum ProviderPushes {
    package struct Push: Sendable, Equatable {
        package var headers: [String: String]
        package var body: Data
    }

    /// An EngageLab SMSHook status callback (`delivered` or `delivered_failed`), signed with MD5(timestamp + app key + secret).
    package static func engageLab(
        smsID: String,
        to: String,
        delivered: Bool,
        appKey: String,
        appSecret: String,
        tag: String? = nil,
        at date: Date = Date()
    ) -> Push {
        let millis = Int64(date.timeIntervalSince1970 * 1000)
        var status: [String: Any] = [
            "message_status": delivered ? "delivered" : "delivered_failed",
            "status_data": ["sms_id": smsID, "msg_count": 1, "message": delivered ? "successfully delivered" : "failed"],
        ]
        if !delivered {
            status["error_code"] = 520
            status["error_detail"] = ["message": "carrier rejected", "sub_stat": 520, "sub_stat_desc": "运营商拒绝"]
        }
        var body: [String: Any] = ["server": "sms", "message_id": smsID, "to": to, "itime": millis, "status": status]
        if let tag { body["custom_args"] = [EngageLabSend.tagMember: tag] }
        let timestamp = String(millis)
        return Push(
            headers: [
                "Content-Type": "application/json; charset=utf-8",
                "X-SMSHook-Timestamp": timestamp, "X-SMSHook-AppKey": appKey, "X-SMSHook-Version": "1",
                "X-SMSHook-Signature": Digest.md5.hex(timestamp + appKey + appSecret),
            ],
            body: Data(CanonicalJSON.bytes(body) ?? Array("{}".utf8))
        )
    }

    /// A SUBMAIL SUBHOOK event (form-encoded), signed with MD5(token + SUBHOOK key).
    package static func submail(
        sendID: String,
        address: String,
        event: String,
        subhookKey: String,
        tag: String? = nil,
        at date: Date = Date()
    ) -> Push {
        let token = Hex.encode(SecureRandom.bytes(16))
        var fields: [(String, String)] = [
            ("events", event), ("address", address), ("send_id", sendID), ("app", "sim"),
            ("timestamp", String(Int64(date.timeIntervalSince1970))), ("token", token),
            ("signature", Digest.md5.hex(token + subhookKey)),
        ]
        if event == "dropped" { fields += [("report", "UNDELIV"), ("report_desc", "simulated")] }
        if let tag { fields.append(("tag", tag)) }
        return Push(headers: ["Content-Type": "application/x-www-form-urlencoded"], body: Data(form(fields).utf8))
    }

    /// A Huawei status report (form-encoded, unsigned), one part of `total`; `to` comes only with `extend`.
    package static func huawei(
        smsMsgID: String,
        status: String,
        sequence: Int = 1,
        total: Int = 1,
        extend: (tag: String, to: String)? = nil,
        at date: Date = Date()
    ) -> Push {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        var fields: [(String, String)] = [
            ("smsMsgId", smsMsgID), ("status", status), ("sequence", String(sequence)), ("total", String(total)),
            ("source", "2"), ("updateTime", formatter.string(from: date)),
        ]
        if let extend { fields += [("extend", extend.tag), ("to", extend.to)] }
        return Push(headers: ["Content-Type": "application/x-www-form-urlencoded"], body: Data(form(fields).utf8))
    }

    static func form(_ fields: [(String, String)]) -> String {
        String(decoding: FormEncoding.body(fields), as: UTF8.self)
    }
}
