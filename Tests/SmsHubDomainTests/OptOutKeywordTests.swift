import SmsHubDomain
import Testing

@Suite struct OptOutKeywordTests {
    static let optOuts: [String] = [
        "R", "r", " R ", "Ｒ", "ｒ", "R\n", "\tR", "R。", "R!", "【R】", "“R”",
        "T", "t", "Ｔ", "TD", "td", "Td", "T D", "ＴＤ", "t d", "TD.",
        "退订", " 退订 ", "退 订", "退订。", "退订！", "退訂",
        "STOP", "stop", "Stop", "S T O P", "ＳＴＯＰ", "STOP!", "stop.",
        "UNSUBSCRIBE", "unsubscribe", "Unsubscribe ", "ＵＮＳＵＢＳＣＲＩＢＥ",
        "\u{3000}R\u{3000}",
    ]

    @Test(arguments: optOuts) func optOutKeywords(_ text: String) {
        #expect(OptOutKeywords.intent(of: text, provider: .huawei) == .optOut)
    }

    static let notKeywords: [String] = [
        "", " ", "。", "RR", "Re", "R1", "TDD", "不要退订", "退订了吗", "please stop", "STOPPED", "unsubscribe me",
        "N", "no", "好的", "1234", String(repeating: "R", count: 40), String(repeating: " ", count: 500) + "R",
    ]

    @Test(arguments: notKeywords) func otherReplies(_ text: String) {
        #expect(OptOutKeywords.intent(of: text, provider: .huawei) == nil)
    }

    @Test func nIsAnOptOutOnlyOnSubmail() {
        #expect(OptOutKeywords.intent(of: "N", provider: .submail) == .optOut)
        #expect(OptOutKeywords.intent(of: "ｎ", provider: .submail) == .optOut)
        #expect(OptOutKeywords.intent(of: "n", provider: .engagelab) == nil)
    }

    @Test func optInKeywords() {
        for text in ["START", "start", "Ｓｔａｒｔ", "UNSTOP", "subscribe", "订阅", " 订阅。"] {
            #expect(OptOutKeywords.intent(of: text, provider: .gateway) == .optIn, "\(text)")
        }
    }

    @Test func codes() {
        #expect(OptOutCodes.kind(provider: .huawei, code: "SC:0016") == .optOut)
        #expect(OptOutCodes.kind(provider: .huawei, code: "TDBLACK") == .blacklist)
        #expect(OptOutCodes.kind(provider: .huawei, code: "DELIVRD") == nil)
        #expect(OptOutCodes.kind(provider: .submail, code: "unsubscribe") == .optOut)
        #expect(OptOutCodes.kind(provider: .submail, code: "black") == .blacklist)
        #expect(OptOutCodes.kind(provider: .submail, code: "253") == .optOut)
        #expect(OptOutCodes.kind(provider: .gateway, code: "MBBLACK") == .blacklist)
        #expect(OptOutCodes.kind(provider: .gateway, code: "SC:0016") == nil, "each provider's own codes")
        #expect(OptOutCodes.kind(provider: .engagelab, code: "BLACK") == nil)
        #expect(OptOutCodes.kind(provider: .huawei, code: nil) == nil)
    }
}
