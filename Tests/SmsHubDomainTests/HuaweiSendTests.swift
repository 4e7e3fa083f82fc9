import Foundation
import SmsHubDomain
import Testing

/// Huawei's `batchSendSms` against the worked WSSE example, and its answers read number by number.
@Suite struct HuaweiSendTests {
    let credentials = HuaweiSend.Credentials(appKey: "c8RWg3ggEcyd4D3p94bf3Y7x1Ile", appSecret: "q4Ii87BhST9vcs8wvrzN80SfD7Al")
    let template = HuaweiSend.Template(id: "8ff55eac1d0b478ab3c06c3c6a492300", channel: "8820122113125", signature: nil)

    @Test func theDigestMatchesTheWorkedExample() {
        #expect(
            HuaweiSend.passwordDigest(
                nonce: "ac1c911c4792492687f8f6b2264a491e",
                created: "2018-05-26T00:35:30Z",
                secret: "q4Ii87BhST9vcs8wvrzN80SfD7Al"
            )
                == "NTA0ZWE4Y2Q0ZGMyYWEwZDk0MWZmNjE4NGQxYjc1Y2YzNWYwNzgwZTdjMGU4ZDgzNmZmMGE3MWJlODA0MjBmZg=="
        )
    }

    @Test func aSendCarriesTheTemplateItsParametersTheCallbackAndTheTag() throws {
        let created = Date(timeIntervalSince1970: 1_527_294_930)  // 2018-05-26T00:35:30Z
        let request = HuaweiSend.send(
            to: ["+8618612345678", "+8613800000000"],
            template: self.template,
            parameters: ["369751", "5"],
            statusCallback: "https://sms.example.com/callbacks/huawei/tok",
            tag: "0123456789abcdef0123456789abcdef",
            credentials: self.credentials,
            nonce: "ac1c911c4792492687f8f6b2264a491e",
            created: created
        )
        #expect(request.path == "/sms/batchSendSms/v1")
        #expect(request.header("Authorization") == #"WSSE realm="SDP",profile="UsernameToken",type="Appkey""#)
        #expect(
            request.header("X-WSSE")
                == #"UsernameToken Username="c8RWg3ggEcyd4D3p94bf3Y7x1Ile",PasswordDigest="NTA0ZWE4Y2Q0ZGMyYWEwZDk0MWZmNjE4NGQxYjc1Y2YzNWYwNzgwZTdjMGU4ZDgzNmZmMGE3MWJlODA0MjBmZg==",Nonce="ac1c911c4792492687f8f6b2264a491e",Created="2018-05-26T00:35:30Z""#
        )
        let fields = try FormBody.urlEncoded(request.body)
        #expect(fields["from"] == "8820122113125")
        #expect(fields["to"] == "+8618612345678,+8613800000000")
        #expect(fields["templateParas"] == #"["369751","5"]"#)
        #expect(fields["extend"] == "0123456789abcdef0123456789abcdef")
        #expect(fields["statusCallback"] == "https://sms.example.com/callbacks/huawei/tok")
        #expect(fields["signature"] == nil, "only generic templates name their signature")
        #expect(!String(decoding: request.body, as: UTF8.self).contains(self.credentials.appSecret))
        let nonce = HuaweiSend.nonce()
        #expect(nonce.utf8.count == 32 && nonce != HuaweiSend.nonce())
    }

    @Test func answersAreReadNumberByNumber() {
        let numbers = ["+8618612345678", "+8613800000000", "+8613900000000", "+8613700000000"]
        let answer = #"""
            {"code":"000000","description":"Success","result":[
            {"originTo":"+8618612345678","smsMsgId":"4b4b34e7-d7b7-4e35-a6d4-4c4d1e5d7a89_85496076","status":"000000","total":2},
            {"originTo":"+8613800000000","status":"E200028"},
            {"originTo":"13900000000","status":"E200099"}]}
            """#
        let outcomes = HuaweiSend.outcomes(status: 200, body: Array(answer.utf8), numbers: numbers)
        #expect(outcomes[0] == .accepted(providerID: "4b4b34e7-d7b7-4e35-a6d4-4c4d1e5d7a89_85496076", segments: 2))
        #expect(outcomes[1] == .refusedForAccount(Refusal(code: "E200028", message: nil)))
        #expect(outcomes[2] == .refusedForNumber(Refusal(code: "E200099", message: nil)), "numbers are matched in any spelling")
        guard case .unknown = outcomes[3] else {
            Issue.record("a number missing from the result is unknown")
            return
        }
    }

    @Test func callRefusalsAndLostAnswers() {
        func all(_ status: Int, _ body: String) -> [NumberOutcome] {
            HuaweiSend.outcomes(status: status, body: Array(body.utf8), numbers: ["+8618612345678", "+8613800000000"])
        }
        #expect(
            all(401, #"{"code":"E000102","description":"Invalid app_key."}"#)
                == Array(repeating: .refusedForAccount(Refusal(code: "E000102", message: "Invalid app_key.")), count: 2)
        )
        #expect(all(400, #"{"code":"E000999"}"#) == Array(repeating: .refusedForNumber(Refusal(code: "E000999", message: nil)), count: 2))
        #expect(all(404, "Not Found") == Array(repeating: .refusedForAccount(Refusal(code: "http_404", message: nil)), count: 2))
        #expect(all(200, #"{"code":"E000110","description":"skew"}"#)[0] == .refusedForAccount(Refusal(code: "E000110", message: "skew")))
        for (status, body) in [
            (400, #"{"code":"000000","result":[]}"#), (500, #"{"code":"E000000"}"#), (503, ""), (200, ""), (200, #"{"code":"000000","result":"#),
            (200, #"{"result":[]}"#),
        ] {
            #expect(all(status, body).allSatisfy { if case .unknown = $0 { true } else { false } }, "\(status) \(body)")
        }
        let noID = all(200, #"{"code":"000000","result":[{"originTo":"+8618612345678","status":"000000"}]}"#)[0]
        guard case .unknown = noID else {
            Issue.record("an acceptance without an id cannot be followed: \(noID)")
            return
        }
    }
}
