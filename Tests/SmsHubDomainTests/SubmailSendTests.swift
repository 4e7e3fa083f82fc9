import Foundation
import SmsHubDomain
import Testing

/// SUBMAIL's send requests against the worked examples of its digest signature, and its answers read
/// number by number into the three classes.
@Suite struct SubmailSendTests {
    let credentials = SubmailSend.Credentials(appID: "10000", appKey: "0123456789abcdef0123456789abcdef")
    let example: [(String, String)] = [
        ("appid", "10000"), ("to", "13800000000"), ("content", "【SUBMAIL】您的验证码是1234"), ("timestamp", "1415014855"),
    ]

    @Test func signaturesMatchTheWorkedExamples() {
        #expect(
            SubmailSend.signature(self.example + [("sign_type", "md5")], credentials: self.credentials, signType: .md5)
                == "75c181ee594a727e5f9d9a68cfb38433"
        )
        #expect(
            SubmailSend.signature(self.example + [("sign_type", "sha1")], credentials: self.credentials, signType: .sha1)
                == "db6cfc916474e91b404ac93b05a3c14654c7aafb"
        )
        #expect(
            SubmailSend.signature(self.example + [("sign_type", "md5"), ("sign_version", "2")], credentials: self.credentials, signType: .md5)
                == "6632b6f97bcddb193d28a6d03093e3e2"
        )
        #expect(
            SubmailSend.signature(self.example + [("sign_type", "md5"), ("tag", "anything")], credentials: self.credentials, signType: .md5)
                == "75c181ee594a727e5f9d9a68cfb38433",
            "the tag is not signed"
        )
    }

    @Test func aSingleSendIsTheWorkedExampleWithItsTag() throws {
        let request = SubmailSend.send(
            to: ["13800000000"],
            content: .text("【SUBMAIL】您的验证码是1234"),
            tag: "fedcba9876543210fedcba9876543210",
            timestamp: 1_415_014_855,
            credentials: self.credentials,
            signType: .md5
        )
        #expect(request.path == "/sms/send" && request.method == .post)
        let fields = try FormBody.urlEncoded(request.body, signatureFields: [])
        #expect(fields["signature"] == "75c181ee594a727e5f9d9a68cfb38433")
        #expect(fields["tag"] == "fedcba9876543210fedcba9876543210")
        #expect(fields["content"] == "【SUBMAIL】您的验证码是1234")
        #expect(
            fields["appkey"] == nil && !String(decoding: request.body, as: UTF8.self).contains(self.credentials.appKey),
            "digest mode never sends the key"
        )
    }

    @Test func templatesAndSeveralNumbersTakeTheirEndpoints() throws {
        let project = SubmailSend.send(
            to: ["13800000000"],
            content: .project("ThJBE4", variables: ["code": "1234", "a": "\"x\""]),
            tag: "t",
            timestamp: 1,
            credentials: self.credentials
        )
        #expect(project.path == "/sms/xsend")
        let fields = try FormBody.urlEncoded(project.body, signatureFields: [])
        #expect(fields["vars"] == #"{"a":"\"x\"","code":"1234"}"#)
        let signed = [
            ("appid", "10000"), ("to", "13800000000"), ("project", "ThJBE4"), ("vars", fields["vars"]!), ("timestamp", "1"), ("sign_type", "sha1"),
        ]
        #expect(fields["signature"] == SubmailSend.signature(signed, credentials: self.credentials, signType: .sha1))

        let multi = SubmailSend.send(
            to: ["13800000000", "13900000000"],
            content: .project("P", variables: [:]),
            tag: "t",
            timestamp: 1,
            credentials: self.credentials
        )
        #expect(multi.path == "/sms/multixsend")
        #expect(
            try FormBody.urlEncoded(multi.body, signatureFields: [])["multi"] == #"[{"to":"13800000000","vars":{}},{"to":"13900000000","vars":{}}]"#
        )
        #expect(
            SubmailSend.send(to: ["1", "2"], content: .text("x"), tag: "t", timestamp: 1, credentials: self.credentials).path == "/sms/multisend"
        )
    }

    @Test func onlyMainlandNumbersGoThroughTheDomesticAPI() {
        #expect(SubmailSend.destination("+8613800000000") == "13800000000")
        #expect(SubmailSend.destination("+16505550123") == nil)
        #expect(SubmailSend.destination("+86138") == nil)
    }

    @Test func answersAreReadIntoTheThreeClasses() {
        func one(_ status: Int, _ body: String) -> NumberOutcome {
            SubmailSend.outcomes(status: status, body: Array(body.utf8), numbers: ["13800000000"])[0]
        }
        #expect(
            one(200, #"{"status":"success","send_id":"093c0a7df143c087d6cba9cdf0cf3738","fee":1}"#)
                == .accepted(providerID: "093c0a7df143c087d6cba9cdf0cf3738", segments: 1)
        )
        #expect(one(200, #"{"status":"error","code":"903","msg":"余额不足"}"#) == .refusedForAccount(Refusal(code: "903", message: "余额不足")))
        #expect(one(200, #"{"status":"error","code":115,"msg":"频率"}"#) == .refusedForNumber(Refusal(code: "115", message: "频率")))
        #expect(
            one(200, #"{"status":"error","code":"999"}"#) == .refusedForNumber(Refusal(code: "999", message: nil)),
            "an unclassified code ends the recipient"
        )
        #expect(one(400, #"{"status":"error","code":"101","msg":"appid"}"#) == .refusedForAccount(Refusal(code: "101", message: "appid")))
        for lost in [
            (500, #"{"status":"error","code":"101"}"#), (502, ""), (200, "<html>"), (200, #"{"status":"succ"#), (200, "{}"), (200, "[]"), (408, ""),
            (302, ""),
        ] {
            guard case .unknown = one(lost.0, lost.1) else {
                Issue.record("\(lost) should leave the number unknown")
                continue
            }
        }
        #expect(one(403, "forbidden") == .refusedForNumber(Refusal(code: "http_403", message: nil)))
        // Found by FuzzSendAnswers: a success under an HTTP error is no acceptance, and no refusal either.
        guard case .unknown = one(400, #"{"status":"success","send_id":"a","fee":1}"#) else {
            Issue.record("a success answered with HTTP 400 is unknown")
            return
        }
        let long = one(200, #"{"status":"error","code":"\#(String(repeating: "9", count: 500))","msg":"\#(String(repeating: "长", count: 500))"}"#)
        if case .refusedForNumber(let refusal) = long {
            #expect(refusal.code.utf8.count <= Refusal.maxCodeBytes && (refusal.message?.utf8.count ?? 0) <= Refusal.maxMessageBytes)
        } else {
            Issue.record("a long code is still a refusal: \(long)")
        }
        #expect(one(200, #"{"status":"success","send_id":"\#(String(repeating: "x", count: 200))"}"#) == .accepted(providerID: nil, segments: nil))
    }

    @Test func multisendAnswersAreReadByPlace() {
        let numbers = ["13800000000", "13900000000", "13700000000"]
        let answer = #"[{"status":"success","send_id":"a","fee":1,"to":"13800000000"},{"status":"error","code":"253","msg":"退订"}]"#
        let outcomes = SubmailSend.outcomes(status: 200, body: Array(answer.utf8), numbers: numbers)
        #expect(outcomes[0] == .accepted(providerID: "a", segments: 1))
        #expect(outcomes[1] == .refusedForNumber(Refusal(code: "253", message: "退订")))
        guard case .unknown = outcomes[2] else {
            Issue.record("a missing element is unknown")
            return
        }
        let swapped = SubmailSend.outcomes(
            status: 200,
            body: Array(#"[{"status":"success","send_id":"a","to":"13900000000"}]"#.utf8),
            numbers: numbers
        )
        guard case .unknown = swapped[0] else {
            Issue.record("an element naming another number is unknown")
            return
        }
        let refusedWhole = SubmailSend.outcomes(status: 200, body: Array(#"{"status":"error","code":"401"}"#.utf8), numbers: numbers)
        #expect(refusedWhole == Array(repeating: .refusedForAccount(Refusal(code: "401", message: nil)), count: 3))
        let oneForAll = SubmailSend.outcomes(status: 200, body: Array(#"{"status":"success","send_id":"a"}"#.utf8), numbers: numbers)
        #expect(oneForAll.allSatisfy { if case .unknown = $0 { true } else { false } })
    }

    @Test func truncatedAnswersNeverAcceptAndNeverTrap() {
        let whole = Array(#"[{"status":"success","send_id":"a","fee":1},{"status":"error","code":"115"}]"#.utf8)
        for end in 0..<whole.count {
            for outcome in SubmailSend.outcomes(status: 200, body: Array(whole[..<end]), numbers: ["13800000000", "13900000000"]) {
                guard case .unknown = outcome else {
                    Issue.record("a truncated answer (\(end) bytes) gave \(outcome)")
                    return
                }
            }
        }
        #expect(SubmailSend.outcomes(status: 200, body: Array(repeating: UInt8(ascii: "["), count: 100_000), numbers: ["1"]).count == 1)
    }

    @Test func timestampsAndBalances() {
        #expect(SubmailSend.timestamp(Array(#"{"timestamp":1414253462}"#.utf8)) == 1_414_253_462)
        #expect(SubmailSend.timestamp(Array(#"{"timestamp":1.5}"#.utf8)) == nil)
        #expect(SubmailSend.timestamp(Array(#"{"timestamp":-1}"#.utf8)) == nil)
        #expect(SubmailSend.timestamp(Array("{".utf8)) == nil)
        #expect(SubmailSend.balance(Array(#"{"status":"success","balance":"9410","transactional_balance":"9775"}"#.utf8))?.amount == 9410)
        #expect(SubmailSend.balance(Array(#"{"status":"error","code":"101"}"#.utf8)) == nil)
        #expect(SubmailSend.balance(Array(#"{"status":"success","balance":"9410abc"}"#.utf8)) == nil)
    }
}
