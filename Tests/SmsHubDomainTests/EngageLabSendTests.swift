import Foundation
import SmsHubDomain
import Testing

/// EngageLab's `/v1/messages` against its worked Basic example, and its answers.
@Suite struct EngageLabSendTests {
    @Test func basicAuthenticationMatchesTheWorkedExample() {
        let header = EngageLabSend.authorization(EngageLabSend.Credentials(devKey: "jiguangdev", devSecret: "dev_secret"))
        #expect(header == HeaderField("Authorization", "Basic amlndWFuZ2RldjpkZXZfc2VjcmV0"))
    }

    @Test func aSendNamesOneNumberTheTemplateAndTheTag() throws {
        let request = EngageLabSend.send(
            to: "+8618701235678",
            templateID: "1233",
            parameters: ["code": "039487", "name": "李\"四"],
            tag: "0123456789abcdef0123456789abcdef",
            credentials: EngageLabSend.Credentials(devKey: "k", devSecret: "s")
        )
        #expect(request.path == "/v1/messages" && request.header("Content-Type") == "application/json")
        let body = try JSONObject.parse(request.body)
        #expect(body.array("to") == [.string("+8618701235678")])
        #expect(body.object("template")?.string("id") == "1233")
        #expect(body.object("template")?.object("params")?.string("name") == "李\"四")
        #expect(body.object("custom_args")?.string(EngageLabSend.tagMember) == "0123456789abcdef0123456789abcdef")
    }

    @Test func answersAreReadIntoTheThreeClasses() {
        func one(_ status: Int, _ body: String) -> NumberOutcome { EngageLabSend.outcome(status: status, body: Array(body.utf8)) }
        #expect(
            one(200, #"{"plan_id":"1972488990548348928","total_count":1,"accepted_count":1,"message_id":"1972488990804201472"}"#)
                == .accepted(providerID: "1972488990804201472", segments: nil)
        )
        #expect(one(401, #"{"code":2001,"message":"invalid key"}"#) == .refusedForAccount(Refusal(code: "2001", message: "invalid key")))
        #expect(
            one(200, #"{"code":4001,"message":"no template"}"#) == .refusedForAccount(Refusal(code: "4001", message: "no template")),
            "a code in a 200 is an error"
        )
        #expect(one(400, #"{"code":3004,"message":"repeated"}"#) == .refusedForNumber(Refusal(code: "3004", message: "repeated")))
        #expect(one(200, #"{"plan_id":"1","total_count":1,"accepted_count":0}"#) == .refusedForNumber(Refusal(code: "not_accepted", message: nil)))
        #expect(one(200, #"{"code":0,"plan_id":"1"}"#) == .accepted(providerID: nil, segments: nil))
        for (status, body) in [(500, #"{"code":1000}"#), (200, #"{"code":1000}"#), (200, "{}"), (200, #"{"plan_id":"#), (504, ""), (200, "null")] {
            guard case .unknown = one(status, body) else {
                Issue.record("\(status) \(body) should leave the number unknown")
                continue
            }
        }
    }

    @Test func balancesAreReadFromTheIntegers() {
        let body = #"{"balance10000":12345678,"gift_balance10000":0,"total_balance10000":12345678,"balance":1234.5678,"total_balance":1234.5678}"#
        #expect(EngageLabSend.balance(Array(body.utf8))?.amount == Decimal(string: "1234.5678"))
        #expect(EngageLabSend.balance(Array(#"{"balance":1.5}"#.utf8)) == nil)
    }
}
