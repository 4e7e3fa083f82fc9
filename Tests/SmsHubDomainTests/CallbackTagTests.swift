import Foundation
import SmsHubDomain
import Testing

/// A callback for a message the hub sent carries the call's tag; its events attach by that tag (and
/// their number) rather than by the provider's own id, which the send's answer may never have brought.
@Suite struct CallbackTagTests {
    static let tag = AttemptTag.of(UUID())

    func statusKey(_ parsed: ParsedCallback) -> String? {
        guard case .status(let report)? = parsed.events.first else { return nil }
        return report.providerMessageID
    }

    @Test func submailEventsAttachByTheirTag() throws {
        func parse(tag: String) throws -> ParsedCallback {
            let body =
                #"{"events":"delivered","address":"13812345678","send_id":"s1","tag":"\#(tag)","timestamp":"1415014855","token":"067ef7e2f286a9a56eabb07dc9657852","signature":"61bc33e46c8329ed51c264a0b0f700bb"}"#
            return try SubmailCallbackParser.parse(
                CallbackRequest(headers: ["Content-Type": "application/json"], body: Array(body.utf8)),
                account: ParserTests.submailAccount
            )
        }
        #expect(self.statusKey(try parse(tag: Self.tag)) == Self.tag)
        #expect(self.statusKey(try parse(tag: Self.tag.uppercased())) == Self.tag)
        #expect(self.statusKey(try parse(tag: "campaign-7")) == "s1", "a tag the hub did not write is the tenant's own")
    }

    @Test func huaweiReportsAttachByTheirExtend() throws {
        func parse(extend: String?) throws -> String? {
            var form = "smsMsgId=m1&status=DELIVRD&to=%2B8613812345678&updateTime=2026-12-07T08%3A00%3A00Z"
            if let extend { form += "&extend=\(extend)" }
            let request = CallbackRequest(headers: ["Content-Type": "application/x-www-form-urlencoded"], body: Array(form.utf8))
            return self.statusKey(try HuaweiCallbackParser.parseStatus(request, account: ParserTests.plainAccount))
        }
        #expect(try parse(extend: Self.tag) == Self.tag)
        #expect(try parse(extend: nil) == "m1")
        #expect(try parse(extend: "x") == "m1")
    }

    @Test func engageLabCallbacksAttachByTheirCustomArguments() throws {
        let body = ParserTests.delivered.replacingOccurrences(
            of: #""server":"sms","#,
            with: #""server":"sms","custom_args":{"\#(EngageLabSend.tagMember)":"\#(Self.tag)"},"#
        )
        let parsed = try EngageLabCallbackParser.parse(
            CallbackRequest(headers: ParserTests.signedEngageLab, body: Array(body.utf8)),
            account: ParserTests.engageLabAccount
        )
        #expect(self.statusKey(parsed) == Self.tag)
        let untagged = try EngageLabCallbackParser.parse(
            CallbackRequest(headers: ParserTests.signedEngageLab, body: Array(ParserTests.delivered.utf8)),
            account: ParserTests.engageLabAccount
        )
        #expect(self.statusKey(untagged) == "b$+8613800000000")
    }
}
