import SmsHubDomain
import Testing

/// The vectors of docs/sending-rules.md, "Segments".
@Suite struct SegmentCounterTests {
    func count(_ text: String, _ rule: SegmentCounter.Rule) -> Int { SegmentCounter.segments(text, rule: rule) }

    @Test func mainlandCountsTheSignatureAndEveryCharacterAlike() {
        let signed = "【Acme】"
        #expect(signed.utf16.count == 6)
        #expect(self.count(signed + String(repeating: "中", count: 64), .mainland) == 1, "70")
        #expect(self.count(signed + String(repeating: "中", count: 65), .mainland) == 2, "71")
        #expect(self.count(signed + String(repeating: "中", count: 128), .mainland) == 2, "134")
        #expect(self.count(signed + String(repeating: "中", count: 129), .mainland) == 3, "135")
        #expect(self.count(signed + String(repeating: "a", count: 94), .mainland) == 2, "100 Latin letters bill 2 at home")
        #expect(self.count(String(repeating: "x", count: 160), .mainland) == 3, "Aliyun's 67 + 67 + 26")
        #expect(self.count("【华为云】", .mainland) == 1 && "【华为云】".utf16.count == 5)
        #expect(self.count("", .mainland) == 1)
    }

    @Test func gsm7CountsSeptetsAndNeverSplitsAnEscape() {
        for (length, segments) in [(160, 1), (161, 2), (306, 2), (307, 3)] {
            #expect(self.count(String(repeating: "a", count: length), .gsm7) == segments, "\(length)")
        }
        #expect(self.count(String(repeating: "a", count: 159) + "{", .gsm7) == 2, "161 septets")
        #expect(self.count(String(repeating: "a", count: 158) + "{", .gsm7) == 1, "160 septets")
        // 152 plain then an escape: the escape cannot straddle the first part's end.
        #expect(self.count(String(repeating: "a", count: 152) + "€" + String(repeating: "a", count: 152), .gsm7) == 3)
        #expect(self.count(String(repeating: "a", count: 151) + "€" + String(repeating: "a", count: 153), .gsm7) == 2)
    }

    @Test func ucs2CountsUTF16UnitsAndNeverSplitsAPair() {
        for (length, segments) in [(70, 1), (71, 2), (134, 2), (135, 3)] {
            #expect(self.count(String(repeating: "中", count: length), .ucs2) == segments, "\(length)")
        }
        #expect(self.count(String(repeating: "a", count: 69) + "😀", .ucs2) == 2, "71 units")
        #expect(self.count(String(repeating: "a", count: 66) + "😀" + String(repeating: "a", count: 66), .ucs2) == 3)
    }

    @Test func theRuleFollowsTheDestinationThenTheText() {
        #expect(SegmentCounter.rule(e164: "+8613800138000", text: "hello") == .mainland)
        #expect(SegmentCounter.rule(e164: "+447700900123", text: "hello {x} €5 Δ") == .gsm7)
        #expect(SegmentCounter.rule(e164: "+447700900123", text: "hello `x`") == .ucs2, "a backtick is not GSM-7")
        #expect(SegmentCounter.rule(e164: "+447700900123", text: "你好") == .ucs2)
        #expect(SegmentCounter.rule(e164: nil, text: "hi") == .gsm7)
        #expect(SegmentCounter.segments(String(repeating: "a", count: 100), e164: "+8613800138000") == 2)
        #expect(SegmentCounter.segments(String(repeating: "a", count: 100), e164: "+447700900123") == 1)
    }

    @Test func theProviderAddsTheSignatureUnlessTheTextCarriesOne() {
        #expect(SegmentCounter.withSignature("您的验证码是1234", signature: "Acme") == "【Acme】您的验证码是1234")
        #expect(SegmentCounter.withSignature("您的验证码是1234", signature: "【Acme】") == "【Acme】您的验证码是1234")
        #expect(SegmentCounter.withSignature("【Acme】您的验证码是1234", signature: "Acme") == "【Acme】您的验证码是1234")
        #expect(SegmentCounter.withSignature("您的验证码是1234【Acme】", signature: "Other") == "您的验证码是1234【Acme】")
        #expect(SegmentCounter.withSignature("hi", signature: nil) == "hi")
    }
}
