import Cryptography
import Foundation
import HTTPTypes
import NIOCore
import Postgres
import SmsHubDomain
import TestSupport
import Testing

/// A tenant with one account of a provider, and the paths of its callback URLs.
struct CallbackAccount {
    var tenantID: UUID
    var key: String
    var accountID: UUID
    var urls: [String: String]

    func path(_ purpose: String) -> String {
        let url = self.urls[purpose]!
        return String(url.dropFirst("https://hub.example.test".count))
    }
}

extension AppHarness {
    func makeAccount(
        _ provider: String,
        settings: [String: String] = [:],
        credentials: [String: String] = [:],
        tenant: (id: String, key: String)? = nil
    ) async throws -> CallbackAccount {
        let (tenantID, key): (String, String)
        if let tenant { (tenantID, key) = tenant } else { (tenantID, key) = try await self.makeTenant() }
        let body: [String: Any] = ["provider": provider, "name": "\(provider) account", "settings": settings, "credentials": credentials]
        let json = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
        let created = try await self.request(.post, "/v1/provider-accounts", bearer: key, json: json)
        #expect(created.status == .created, "\(created.text)")
        let account = try #require(created.json["account"] as? [String: Any])
        return CallbackAccount(
            tenantID: UUID(uuidString: tenantID)!,
            key: key,
            accountID: UUID(uuidString: try #require(account["id"] as? String))!,
            urls: try #require(created.json["callback_urls"] as? [String: String])
        )
    }

    func engageLab() async throws -> CallbackAccount {
        try await self.makeAccount(
            "engagelab",
            settings: ["app_key": "a1b2c3d4e5f6a7b8c9d0e1f2"],
            credentials: ["app_secret": "engagelab_demo_secret"]
        )
    }

    func submail() async throws -> CallbackAccount {
        try await self.makeAccount("submail", settings: ["app_id": "12345"], credentials: ["subhook_key": "my_subhook_key"])
    }

    func post(_ path: String, body: String, contentType: String, headers extra: HTTPFields = [:]) async throws -> Reply {
        var headers = extra
        headers[.contentType] = contentType
        let response = try await self.client.execute(uri: path, method: .post, headers: headers, body: .init(string: body))
        return Reply(status: response.status, headers: response.headers, body: response.body)
    }

    /// EngageLab's headers, signed as providers.md §2.1 says.
    static func engageLabHeaders(
        timestamp: String = String(Int64(Date().timeIntervalSince1970 * 1000)),
        appKey: String = "a1b2c3d4e5f6a7b8c9d0e1f2",
        secret: String = "engagelab_demo_secret",
        signature: String? = nil
    ) -> HTTPFields {
        [
            HTTPField.Name("X-SMSHook-Signature")!: signature ?? Digest.md5.hex(timestamp + appKey + secret),
            HTTPField.Name("X-SMSHook-Timestamp")!: timestamp,
            HTTPField.Name("X-SMSHook-AppKey")!: appKey,
            HTTPField.Name("X-SMSHook-Version")!: "1",
        ]
    }

    func postEngageLab(_ account: CallbackAccount, _ body: String, headers: HTTPFields = AppHarness.engageLabHeaders()) async throws -> Reply {
        try await self.post(account.path("events"), body: body, contentType: "application/json; charset=utf-8", headers: headers)
    }

    /// Rows of a query run as superuser, each as [column: text].
    func rows(_ sql: String) async throws -> [[String: String?]] {
        try await withPool(url: self.database.superuserURL) { pool in
            let result = try await pool.query(PGQuery(sql))
            return try result.rows.map { row in
                var values: [String: String?] = [:]
                for (index, name) in result.columnNames.enumerated() { values[name] = try row.decode(column: index, as: String?.self) }
                return values
            }
        }
    }

    /// Adds a message with recipients already sent to the provider (as the dispatcher will), directly in SQL.
    func seedRecipients(_ account: CallbackAccount, _ recipients: [(number: String, e164: String, providerMessageID: String)]) async throws -> [UUID]
    {
        try await withPool(url: self.database.superuserURL) { pool in
            let messageID = try await pool.query(
                "INSERT INTO messages (tenant_id, provider_account_id, content) VALUES (\(account.tenantID), \(account.accountID), '【Acme】hi') RETURNING id"
            ).first!.decode("id", as: UUID.self)
            var ids: [UUID] = []
            for recipient in recipients {
                ids.append(
                    try await pool.query(
                        """
                        INSERT INTO message_recipients (tenant_id, message_id, provider_account_id, number_raw, number_e164, provider_message_id, status)
                        VALUES (\(account.tenantID), \(messageID), \(account.accountID), \(recipient.number), \(recipient.e164), \(recipient.providerMessageID), 'submitted')
                        RETURNING id
                        """
                    ).first!.decode("id", as: UUID.self)
                )
            }
            return ids
        }
    }

    func recipientStatus(_ id: UUID) async throws -> (status: String, code: String?, description: String?) {
        let row = try await self.rows("SELECT status, status_code, status_description FROM message_recipients WHERE id = '\(id.uuidString)'")[0]
        return (row["status"]!!, row["status_code"]!, row["status_description"]!)
    }
}

/// The seed samples of `000_e83c6851ad36c8d4.txt` (valid JSON as given).
enum EngageLabSeeds {
    static let target =
        #"{"server":"sms","message_id":"1679392394031_15_17153_881599_c1fjwa","itime":1679392394061,"status":{"message_status":"target","status_data":{"user_id":15,"to":["+8618871186627","008615727024341"],"msg_type":2,"template_id":881599,"message":"successfully request","sms_user":"xiaojinmintest","sms_ids":["1679392394031_15_17153_881599_c1fjwa$+8618871186627","1679392394031_15_17153_881599_c1fjwa$008615727024341"],"template_type":2,"label_id":0}}}"#
    static let sent = target.replacingOccurrences(of: #""message_status":"target""#, with: #""message_status":"sent""#).replacingOccurrences(
        of: "successfully request",
        with: "successfully sent"
    )
    static let delivered =
        #"{"server":"sms","message_id":"1679387065399_15_17155_881597_0poco8$+115927992951","to":"+115927992951","itime":1679388949000,"status":{"message_status":"delivered","status_data":{"outbound_time":"2023-03-21 16:55:25","receipt_time":"2023-03-21 16:55:49","sms_id":"1679387065399_15_17155_881597_0poco8$+115927992951","user_id":15,"msg_type":2,"template_id":881597,"message":"successfully delivered","sms_user":"huangli_SMS","template_type":1,"msg_count":1,"label_id":0}}}"#
    static let failed =
        #"{"server":"sms","message_id":"1679392394031_15_17153_881599_c1fjwa$+8618871186627","to":"+8618871186627","itime":1679392394120,"status":{"message_status":"delivered_failed","error_code":480,"error_detail":{"message":"smsworker:local policy restrictions","sub_stat":480,"sub_stat_desc":"发送類型不支持"},"status_data":{"sms_id":"1679392394031_15_17153_881599_c1fjwa$+8618871186627","user_id":15,"msg_type":2,"template_id":881599,"outbound_time":"2023-03-21 17:53:14","receipt_time":"2023-03-21 17:53:37","sms_user":"xiaojinmintest","template_type":2,"msg_count":1,"label_id":0}}}"#
    static let reply =
        #"{"server":"sms","message_id":"1679364048767_15_15814_905354_3y5z9a$17858502021","to":"17858502021","itime":1679392394128,"response":{"event":"reply","response_data":{"sms_id":"1679364048767_15_15814_905354_3y5z9a$17858502021","user_id":15,"reply_time":"2023-03-21 10:07:17","msg_type":2,"template_id":905354,"sms_user":"cpx_sms","template_type":2,"reply_content":"T","label_id":0}}}"#
    static let templateApproval =
        #"{"server":"sms","message_id":"1679364048767_15_15864","to":"17858502021","itime":1679392394179,"notification":{"event":"template_approval","notification_data":{"user_id":15,"msg_type":2,"template_id":905354,"template_type":2,"approval_status":"1","approval_message":"pass"}}}"#
}

/// The seed samples of `001_0e9f1b088fd3fc7c.txt`, corrected: commas added, `xxxxx` placeholders quoted,
/// and signed with the providers.md example (token 067ef7e2…, key my_subhook_key).
enum SubmailSeeds {
    static let token = "067ef7e2f286a9a56eabb07dc9657852"
    static let signature = "61bc33e46c8329ed51c264a0b0f700bb"
    static let seedSign = #""timestamp":"1415014855","token":"\#(token)","signature":"\#(signature)""#

    /// A new token for each event, signed with the seed's SUBHOOK key as SUBMAIL signs: a token is
    /// accepted with one event only (docs/decisions/0015-replayed-callbacks.md).
    static var sign: String {
        let token = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        return #""timestamp":"1415014855","token":"\#(token)","signature":"\#(Digest.md5.hex(token + "my_subhook_key"))""#
    }

    static let sendID = "093c0a7df143c087d6cba9cdf0cf3738"
    static let requestFields =
        #""events":"request","address":"13812345678","send_id":"\#(sendID)","content":"【SUBMAIL】您的驗證碼是:1234","app":"12345","tag":"xxxxx""#
    /// The seed's request with the seed's own token and signature.
    static let seedRequest = "{\(requestFields),\(seedSign)}"

    static var request: String { "{\(requestFields),\(sign)}" }
    static var delivered: String {
        #"{"events":"delivered","address":"13812345678","send_id":"\#(sendID)","operator":"中國移動","location":"上海 上海","tag":"xxxxx","app":"12345",\#(sign)}"#
    }
    static var dropped: String {
        #"{"events":"dropped","address":"13812345678","send_id":"\#(sendID)","report":" UNDELIV","report_desc":"網關黑名單","app":"12345","tag":"xxx",\#(sign)}"#
    }
    static var sending: String { #"{"events":"sending","address":"13812345678","send_id":"\#(sendID)","app":"12345","tag":"xxx",\#(sign)}"# }
    static var mo: String {
        #"{"events":"mo","address":"13812345678","app":"12345","content":"好的","message_content":"【SUBMAIL】您的驗證碼是123456,請妥善保管。","send_at":"2025-04-15 15:25:08","send_id":"\#(sendID)","sendlist":"list-1","tag":"123",\#(sign)}"#
    }
    static var templateAccept: String { #"{"events":"template_accept","template_id":"H5OSN4",\#(sign)}"# }
    static var templateReject: String { #"{"events":"template_reject","reason":"簽名不正確","template_id":"H5OSN4",\#(sign)}"# }
    static var smsSignature: String {
        #"{"events":"sms_signature","sms_signature":"【SUBMAIL】","app":"12345","extend":"123451","status":"2","reason":"不支持中性簽名",\#(sign)}"#
    }
    static var unknown: String { #"{"events":"unknown","address":"13812345678","send_id":"\#(sendID)","app":"12345","tag":"x",\#(sign)}"# }
    static var unkown: String { #"{"events":"unkown","address":"13812345678","send_id":"\#(sendID)","app":"12345","tag":"x",\#(sign)}"# }
}
