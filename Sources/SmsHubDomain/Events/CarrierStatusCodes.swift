import Foundation

/// Carrier and platform status codes shared by Huawei, the Gateway and SUBMAIL reports: the seed's
/// table (`003_4ccb068881a92f2b.txt`, docs/providers.md §4.1), as data. Each code maps to one state and a
/// description; `descriptionZH` is the provider's own wording.
package struct StatusCode: Sendable, Equatable {
    package var code: String
    package var state: DeliveryState
    package var description: String?
    package var descriptionZH: String?
}

package enum CarrierStatusCodes {
    /// Exact codes.
    package static let table: [String: StatusCode] = {
        var table: [String: StatusCode] = [:]
        func add(_ code: String, _ state: DeliveryState, _ en: String?, _ zh: String?) {
            table[code] = StatusCode(code: code, state: state, description: en, descriptionZH: zh)
        }
        add("DELIVRD", .delivered, "Delivered to the handset.", "用户已成功收到短信。")
        add("DELIVER", .delivered, "Delivered to the handset.", nil)  // the Gateway's pull spelling
        add("ACCEPTD", .sent, "Accepted by the carrier.", "短信已接收。")
        add("UNKNOWN", .unknown, "Status unknown.", "短信状态未知。")
        add("EXPIRED", .expired, "The message expired before delivery.", "短信已超时。")
        add("DELETED", .undelivered, "The message was deleted.", "短信已删除。")
        add("UNDELIV", .undelivered, "The message could not be delivered.", "短信递送失败。")
        add("REJECTD", .undelivered, "The message was rejected.", "短信被拒绝。")
        add("E200018", .failed, "Domestic sender channel check failed.", "国内短信发送方通道校验失败。")
        add("E200019", .failed, "No domestic channel matched the sender.", "国内短信发送方匹配通道失败。")
        add("E200020", .failed, "Domestic signature channel check failed.", "国内短信签名通道校验失败。")
        add("E200021", .failed, "No domestic channel matched the signature.", "国内短信签名匹配通道失败。")
        add("E200022", .failed, "Domestic recipient channel check failed.", "国内短信接收方通道校验失败。")
        add("E200023", .failed, "No domestic channel matched the recipient.", "国内短信接收方匹配通道失败。")
        add("E200025", .failed, "International recipient channel check failed.", "国际短信接收方通道校验失败。")
        add("E200026", .failed, "No international channel matched the recipient.", "国际短信接收方匹配通道失败。")
        add("E200027", .failed, "No gateway matched.", "匹配网关失败。")
        add("E200032", .failed, "The message needs a template.", "短信需要模板。")
        add("E200034", .failed, "Retransmission timed out.", "短信重传超时。")
        add("E200035", .failed, "Protocol field substitution failed.", "短信协议字段替换失败。")
        add("E200036", .failed, "Southbound rate limit is set to 0.", "南向速率管控配置为0。")
        add("E200038", .failed, "Receiving the long message timed out.", "接收长短信超时。")
        add("MILIMIT", .failed, "The number reached its per-minute limit.", "号码达到分钟下发限制。")
        add("LIMIT", .failed, "The number reached its sending limit.", "号码达到下发限制。")
        add("BEYONDN", .failed, "Sending limit exceeded.", nil)  // listed in the seed without a description
        add("KEYWORD", .failed, "Blocked by a content keyword.", "短信关键字拦截。")
        add("BLACK", .failed, "The number is on a blacklist.", "号码黑名单。")
        let carrierBlock = "运营商拦截,一般是因为短信内容不允许发送。"
        add("MBBLACK", .failed, "Blocked by the carrier, usually for the content.", carrierBlock)
        add("DJ:0255", .failed, "Blocked by the carrier, usually for the content.", carrierBlock)
        let handset = "此类错误码多为手机号码问题,如手机为空号,关机,停机等。"
        add("1", .undelivered, "Handset problem: number not in service, switched off or suspended.", handset)
        add("24", .undelivered, "Handset problem: number not in service, switched off or suspended.", handset)
        add("LT:0001", .undelivered, "Handset problem: number not in service, switched off or suspended.", handset)
        let review: [(String, String, String)] = [
            ("SC:0001", "Blocked by manual review.", "人工审核拦截"),
            ("SC:0002", "Blocked by a manual review alert.", "人工审核告警拦截"),
            ("SC:0003", "Blocked by a blacklist.", "黑名单拦截"),
            ("SC:0004", "Blocked by a red list.", "红名单拦截"),
            ("SC:0005", "Number on the complaint blacklist.", "投诉黑名单"),
            ("SC:0006", "Blocked by a forbidden keyword.", "禁用关键字拦截"),
            ("SC:0007", "Blocked by a characteristic keyword.", "特征关键字拦截"),
            ("SC:0008", "Blocked by a controlled keyword.", "管控关键字拦截"),
            ("SC:0009", "A mandatory keyword is missing.", "缺失必备关键字"),
            ("SC:0010", "Blocked for sending too often.", "短信超频拦截"),
            ("SC:0011", "Blocked by time-of-day control.", "时段管控拦截"),
            ("SC:0012", "Manual review timed out.", "人工审核超时处理"),
            ("SC:0013", "The signature is blacklisted.", "签名黑名单拦截"),
            ("SC:0014", "Matched a review-exempt template.", "免审核模板匹配"),
            ("SC:0015", "Matched a blocking template.", "拦截模板匹配"),
            ("SC:0016", "The number unsubscribed.", "退订黑名单拦截"),
            ("SC:0017", "The template is not registered.", "非报备模板拦截"),
            ("SC:0018", "The signature is not registered.", "非报备签名拦截"),
        ]
        for (code, en, zh) in review { add(code, .failed, en, zh) }
        return table
    }()

    /// Code families written `XX:xxxx` in the seed, matched by prefix.
    package static let families: [String: StatusCode] = {
        let handset = "此类错误码多为手机号码问题,如手机为空号,关机,停机等。"
        let list: [(String, String, String)] = [
            ("MK", "Handset problem: number not in service, switched off or suspended.", handset),
            ("MN", "Handset problem: number not in service, switched off or suspended.", handset),
            ("MA", "The SMSC did not respond.", "SMSC未返回响应消息。"),
            ("MB", "The SMSC returned an error.", "SMSC返回错误响应消息。"),
            ("MC", "No status report came from the SMSC.", "未从SMSC处接收到状态报告。"),
            ("CA", "The SCP did not respond.", "SCP未返回响应消息。"),
            ("CB", "The SCP returned an error.", "SCP返回错误响应消息。"),
            ("DA", "The DSMP did not respond.", "DSMP未返回响应消息。"),
            ("DB", "The DSMP returned an error.", "DSMP返回错误响应消息。"),
            ("SA", "The SP did not respond.", "SP未返回响应消息。"),
            ("SB", "The SP returned an error.", "SP返回错误响应消息。"),
            ("IA", "The next ISMG did not respond.", "下一级ISMG未返回响应消息。"),
            ("IB", "The next ISMG returned an error.", "下一级ISMG返回错误响应消息。"),
            ("IC", "No status report came from the next ISMG.", "没有从下一级ISMG处接收到状态报告。"),
        ]
        var families: [String: StatusCode] = [:]
        for (prefix, en, zh) in list {
            families[prefix] = StatusCode(code: prefix + ":xxxx", state: .undelivered, description: en, descriptionZH: zh)
        }
        return families
    }()

    /// The entry for `code` (trimmed, case-insensitive). Unknown codes are `undelivered` with no
    /// description, and keep their raw code.
    package static func lookup(_ code: String) -> StatusCode {
        let trimmed = String(code.trimmingBlanks())
        let key = trimmed.uppercased()
        if let exact = table[key] {
            return StatusCode(code: trimmed, state: exact.state, description: exact.description, descriptionZH: exact.descriptionZH)
        }
        if key.count > 3, key.dropFirst(2).first == ":", let family = families[String(key.prefix(2))] {
            return StatusCode(code: trimmed, state: family.state, description: family.description, descriptionZH: family.descriptionZH)
        }
        return StatusCode(code: trimmed, state: .undelivered, description: nil, descriptionZH: nil)
    }
}
