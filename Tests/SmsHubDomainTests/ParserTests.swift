import Cryptography
import Foundation
import SmsHubDomain
import Testing

/// The parsers are pure functions over bytes: these call them directly, without a server.
@Suite struct ParserTests {
    static let engageLabAccount = CallbackAccountContext(
        settings: ProviderSettings(["app_key": "a1b2c3d4e5f6a7b8c9d0e1f2"]),
        secrets: ProviderSecrets(["app_secret": "engagelab_demo_secret"])
    )
    static let submailAccount = CallbackAccountContext(
        settings: ProviderSettings(["app_id": "12345"]),
        secrets: ProviderSecrets(["subhook_key": "my_subhook_key"])
    )
    static let plainAccount = CallbackAccountContext(settings: ProviderSettings(), secrets: ProviderSecrets())

    static let signedEngageLab = [
        "X-SMSHook-Signature": "a77fa528e2deec7ec04d4a55061623ce", "X-SMSHook-Timestamp": "1679392394061",
        "X-SMSHook-AppKey": "a1b2c3d4e5f6a7b8c9d0e1f2", "Content-Type": "application/json",
    ]
    static let delivered =
        #"{"server":"sms","message_id":"b$+8613800000000","to":"+8613800000000","itime":1679388949000,"status":{"message_status":"delivered","status_data":{"receipt_time":"2023-03-21 16:55:49","sms_id":"b$+8613800000000","msg_count":2}}}"#
    static let submailDropped =
        #"{"events":"dropped","address":"13812345678","send_id":"s1","report":" UNDELIV","report_desc":"網關黑名單","timestamp":"1415014855","token":"067ef7e2f286a9a56eabb07dc9657852","signature":"61bc33e46c8329ed51c264a0b0f700bb"}"#

    @Test func engageLabDeliveredIsNormalised() throws {
        let parsed = try EngageLabCallbackParser.parse(
            CallbackRequest(headers: Self.signedEngageLab, body: Array(Self.delivered.utf8)),
            account: Self.engageLabAccount
        )
        guard case .status(let report) = try #require(parsed.events.first) else {
            Issue.record("not a status")
            return
        }
        #expect(report.state == .delivered)
        #expect(report.providerMessageID == "b$+8613800000000")
        #expect(report.number == PhoneNumber(raw: "+8613800000000", e164: "+8613800000000"))
        #expect(report.segments == 2)
        // 16:55:49 in Asia/Shanghai.
        #expect(report.occurredAt == Date(timeIntervalSince1970: 1_679_388_949))
    }

    @Test func engageLabSubStatClassesPickTheState() throws {
        for (subStat, state) in [(480, DeliveryState.failed), (520, .undelivered)] {
            let body =
                #"{"to":"+8613800000000","itime":1679392394120,"status":{"message_status":"delivered_failed","error_code":\#(subStat),"error_detail":{"sub_stat":\#(subStat),"sub_stat_desc":"x"},"status_data":{"sms_id":"b$+8613800000000"}}}"#
            let parsed = try EngageLabCallbackParser.parse(
                CallbackRequest(headers: Self.signedEngageLab, body: Array(body.utf8)),
                account: Self.engageLabAccount
            )
            guard case .status(let report) = parsed.events[0] else {
                Issue.record("not a status")
                return
            }
            #expect(report.state == state)
            #expect(report.code == String(subStat))
        }
    }

    @Test func submailFormAndJSONGiveTheSameEvent() throws {
        let json = try SubmailCallbackParser.parse(
            CallbackRequest(headers: ["Content-Type": "application/json"], body: Array(Self.submailDropped.utf8)),
            account: Self.submailAccount
        )
        let object = try JSONSerialization.jsonObject(with: Data(Self.submailDropped.utf8)) as! [String: String]
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let form = object.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&")
        let parsedForm = try SubmailCallbackParser.parse(
            CallbackRequest(headers: ["Content-Type": "application/x-www-form-urlencoded"], body: Array(form.utf8)),
            account: Self.submailAccount
        )
        let parsedQuery = try SubmailCallbackParser.parse(CallbackRequest(method: .get, query: form, body: []), account: Self.submailAccount)
        guard case .status(let a) = json.events[0], case .status(let b) = parsedForm.events[0], case .status(let c) = parsedQuery.events[0] else {
            Issue.record("not statuses")
            return
        }
        #expect(a.state == .undelivered)
        #expect(a.code == "UNDELIV")
        #expect(a.dedupKey == b.dedupKey && b.dedupKey == c.dedupKey)
        #expect(a.state == b.state && a.code == b.code && a.description == b.description && b.description == c.description)
    }

    /// A Gateway push (full number) and its pulled copy (masked) share an identity; only the push names the number.
    @Test func gatewayPushesAndPulledCopiesShareAnIdentity() throws {
        let zone = TimeZone(identifier: "Asia/Shanghai")!
        let fields = ["sendId": "t", "times": "2019-04-12 17:57:08", "status": "DELIVRD"]
        let pushed = try GatewayCallbackParser.status(fields.merging(["mobile": "13512349831"]) { $1 }, raw: "{}", zone: zone)
        let pulled = try GatewayCallbackParser.status(fields.merging(["mobile": "135****9831"]) { $1 }, raw: "{}", zone: zone)
        #expect(pushed.gatewayCopy == GatewayCopy(identity: "s:t:135****9831:DELIVRD:2019-04-12 17:57:08", pushedNumber: "+8613512349831"))
        #expect(pulled.gatewayCopy == GatewayCopy(identity: "s:t:135****9831:DELIVRD:2019-04-12 17:57:08", pushedNumber: nil))
        // The key before the store counts the copy: the identity's first slot, as pushes were keyed before 0012.
        #expect(pushed.dedupKey == "gw:s:t:135****9831:DELIVRD:2019-04-12 17:57:08#0")

        let reply = ["times": "2019-04-12 17:57:08", "content": "收到", "extNo": "12"]
        let pushedReply = try GatewayCallbackParser.reply(reply.merging(["mobile": "+86 135 1234 9831"]) { $1 }, raw: "{}", zone: zone)
        let pulledReply = try GatewayCallbackParser.reply(reply.merging(["mobile": "135****9831"]) { $1 }, raw: "{}", zone: zone)
        #expect(pushedReply.gatewayCopy?.identity == pulledReply.gatewayCopy?.identity)
        #expect(pushedReply.gatewayCopy?.pushedNumber == "+8613512349831")
        #expect(pulledReply.gatewayCopy?.pushedNumber == nil)
        // A different text, extension or second is another reply.
        let other = try GatewayCallbackParser.reply(reply.merging(["mobile": "135****9831", "content": "好"]) { $1 }, raw: "{}", zone: zone)
        #expect(other.gatewayCopy?.identity != pulledReply.gatewayCopy?.identity)
    }

    /// Every prefix of every sample either parses or fails with a CallbackError: never a crash, never a
    /// different error type.
    @Test func truncatedBodiesNeverCrash() throws {
        let samples: [(CallbackRequest, (CallbackRequest) throws -> ParsedCallback)] = [
            (
                CallbackRequest(headers: Self.signedEngageLab, body: Array(Self.delivered.utf8)),
                { try EngageLabCallbackParser.parse($0, account: Self.engageLabAccount) }
            ),
            (
                CallbackRequest(headers: ["Content-Type": "application/json"], body: Array(Self.submailDropped.utf8)),
                { try SubmailCallbackParser.parse($0, account: Self.submailAccount) }
            ),
            (
                CallbackRequest(
                    headers: ["Content-Type": "application/x-www-form-urlencoded"],
                    body: Array("sequence=1&total=1&updateTime=2018-04-13T06%3A31%3A46Z&smsMsgId=b9d9b4fe-1234_6&status=DELIVRD".utf8)
                ), { try HuaweiCallbackParser.parseStatus($0, account: Self.plainAccount) }
            ),
            (
                CallbackRequest(
                    headers: ["Content-Type": "application/json"],
                    body: Array(#"{"statusReportList":[{"smsMsgId":"a","status":"DELIVRD","total":"2","sequence":"1"}]}"#.utf8)
                ), { try HuaweiCallbackParser.parseStatus($0, account: Self.plainAccount) }
            ),
            (
                CallbackRequest(
                    headers: ["Content-Type": "application/json"],
                    body: Array(#"{"sendId":"t","mobile":"135****9831","times":"2019-04-12 17:57:08","status":"DELIVRD"}"#.utf8)
                ), { try GatewayCallbackParser.parseStatus($0, account: Self.plainAccount) }
            ),
        ]
        for (request, parse) in samples {
            var parsedCount = 0
            for length in 0...request.body.count {
                var truncated = request
                truncated.body = Array(request.body.prefix(length))
                do {
                    _ = try parse(truncated)
                    parsedCount += 1
                } catch is CallbackError {
                    // expected for most prefixes
                } catch {
                    Issue.record("unexpected error type \(type(of: error)) at length \(length)")
                }
            }
            #expect(parsedCount >= 1, "the whole body parses")
        }
    }

    @Test func randomBytesNeverCrash() {
        var generator = SystemRandomNumberGenerator()
        let types = ["application/json", "application/x-www-form-urlencoded", "multipart/form-data; boundary=abc"]
        for round in 0..<600 {
            let bytes = (0..<Int.random(in: 0...300, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let request = CallbackRequest(headers: Self.signedEngageLab.merging(["Content-Type": types[round % types.count]]) { $1 }, body: bytes)
            for parse in [
                { try EngageLabCallbackParser.parse($0, account: Self.engageLabAccount) },
                { try SubmailCallbackParser.parse($0, account: Self.submailAccount) },
                { try HuaweiCallbackParser.parseStatus($0, account: Self.plainAccount) },
                { try GatewayCallbackParser.parseReply($0, account: Self.plainAccount) },
            ] as [(CallbackRequest) throws -> ParsedCallback] {
                do { _ = try parse(request) } catch is CallbackError {} catch { Issue.record("unexpected \(type(of: error))") }
            }
        }
    }

    @Test func signatureFailuresAreTyped() {
        var wrongKey = Self.signedEngageLab
        wrongKey["X-SMSHook-AppKey"] = "other"
        #expect(throws: CallbackError.signature("X-SMSHook-AppKey does not match this account")) {
            try EngageLabCallbackParser.parse(CallbackRequest(headers: wrongKey, body: Array(Self.delivered.utf8)), account: Self.engageLabAccount)
        }
        let wrongSecret = CallbackAccountContext(settings: Self.submailAccount.settings, secrets: ProviderSecrets(["subhook_key": "nope"]))
        #expect(throws: CallbackError.signature("signature does not verify")) {
            try SubmailCallbackParser.parse(
                CallbackRequest(headers: ["Content-Type": "application/json"], body: Array(Self.submailDropped.utf8)),
                account: wrongSecret
            )
        }
    }
}

@Suite struct NormalisationTests {
    @Test(arguments: [
        ("13812345678", "+8613812345678"),
        ("+8613812345678", "+8613812345678"),
        ("008613812345678", "+8613812345678"),
        ("8613812345678", "+8613812345678"),
        ("+1 (415) 555-0100", "+14155550100"),
        ("+115927992951", "+115927992951"),
    ])
    func phoneNumbersNormalise(raw: String, e164: String) {
        #expect(PhoneNumber.parse(raw)?.e164 == e164)
        #expect(PhoneNumber.parse(raw)?.raw == raw)
    }

    @Test func blanksAroundReportedNumbersAreTrimmed() {
        // Tabs and Unicode spaces (no-break, ideographic) count as whitespace, as Foundation has it.
        for text in [" 13812345678", "13812345678\t", "\u{00A0}13812345678\u{3000}", "  +86 138 1234 5678  "] {
            let number = PhoneNumber.parse(text)
            #expect(number?.e164 == "+8613812345678", "\(text.debugDescription)")
            #expect(number?.raw == text.trimmingCharacters(in: .whitespaces), "\(text.debugDescription)")
        }
        #expect(PhoneNumber.parse(" 138****5678 ")?.raw == "138****5678")
    }

    @Test(arguments: [
        "", "   ", "abc", "１３８１２３４５６７８", "138 1234 5678x", "13812345678+", "86+13812345678", "+", "00", "+*",
        "1\u{301}3812345678", "13812345678\r\n1", "138*1234*5678a",
    ])
    func notNumbers(text: String) {
        let number = PhoneNumber.parse(text)
        #expect(number == nil || number?.e164 == nil, "\(text.debugDescription)")
    }

    @Test func numbersWithoutAnE164Form() {
        #expect(PhoneNumber.parse("0013812")?.e164 == nil, "too short after 00")
        #expect(PhoneNumber.parse("0138123456")?.e164 == nil, "national with a leading 0")
        #expect(PhoneNumber.parse("1234567890123456")?.e164 == nil, "16 digits")
        #expect(PhoneNumber.parse("00")?.raw == "00")
        #expect(PhoneNumber.parse("138****5678")?.raw == "138****5678")
        #expect(!PhoneNumber.isMasked("138-****-5678"))
        #expect(PhoneNumber.isMasked("****"))
    }

    @Test func impossibleNumbers() {
        #expect(PhoneNumber.parse("") == nil)
        #expect(PhoneNumber.parse("abc") == nil)
        #expect(PhoneNumber.parse(String(repeating: "1", count: 33)) == nil)
        #expect(PhoneNumber.parse("138****5678")?.e164 == nil)
        #expect(PhoneNumber.mask("138****5678", matches: "+8613812345678"))
        #expect(!PhoneNumber.mask("138****5678", matches: "+8613812345679"))
        #expect(!PhoneNumber.mask("139****5678", matches: "+8613812345678"))
        #expect(!PhoneNumber.mask("138***5678", matches: "+8613812345678"), "one digit too few")
        #expect(PhoneNumber.mask("141****0100", matches: "+14155550100"), "outside China the country code stays")
        #expect(!PhoneNumber.mask("13812345678", matches: "+8613812345678"), "not masked")
    }

    @Test func codeTableMapsEverySeedFamily() {
        #expect(CarrierStatusCodes.lookup("DELIVRD").state == .delivered)
        #expect(CarrierStatusCodes.lookup(" UNDELIV").state == .undelivered)
        #expect(CarrierStatusCodes.lookup(" UNDELIV").code == "UNDELIV")
        #expect(CarrierStatusCodes.lookup("ACCEPTD").state == .sent)
        #expect(CarrierStatusCodes.lookup("EXPIRED").state == .expired)
        #expect(CarrierStatusCodes.lookup("UNKNOWN").state == .unknown)
        #expect(CarrierStatusCodes.lookup("E200032").state == .failed)
        #expect(CarrierStatusCodes.lookup("SC:0018").descriptionZH == "非报备签名拦截")
        #expect(CarrierStatusCodes.lookup("MK:0005").state == .undelivered)
        #expect(CarrierStatusCodes.lookup("IC:1234").description == "No status report came from the next ISMG.")
        let unknown = CarrierStatusCodes.lookup("QQ:7")
        #expect(unknown.state == .undelivered && unknown.description == nil && unknown.code == "QQ:7")
        // Every exact code in the table has a description in English.
        #expect(CarrierStatusCodes.table.values.allSatisfy { $0.description != nil })
    }

    @Test func providerTimes() {
        let shanghai = TimeZone(identifier: "Asia/Shanghai")!
        #expect(ProviderTime.local("2019-04-12 17:57:08", in: shanghai) == Date(timeIntervalSince1970: 1_555_063_028))
        #expect(ProviderTime.local("2019-04-12 17:57:08", in: TimeZone(identifier: "UTC")!) == Date(timeIntervalSince1970: 1_555_091_828))
        #expect(ProviderTime.utc("2018-04-13T06:31:46Z") == Date(timeIntervalSince1970: 1_523_601_106))
        for bad in [
            "", "2019-04-12", "2019-04-12T17:57:08", "2019-13-12 17:57:08", "1999-04-12 17:57:08", "2019-04-12 25:57:08", "２０１９-04-12 17:57:08",
        ] {
            #expect(ProviderTime.local(bad, in: shanghai) == nil, "\(bad)")
        }
        #expect(ProviderTime.unix(seconds: -5) == nil)
        #expect(ProviderTime.unix(seconds: 1e12) == nil)
    }

    @Test func stateRanksMatchTheLifecycle() {
        #expect(DeliveryState.queued.rank < DeliveryState.submitted.rank)
        #expect(DeliveryState.submitted.rank < DeliveryState.sent.rank)
        #expect(DeliveryState.sent.rank < DeliveryState.delivered.rank)
        #expect(DeliveryState.allCases.filter(\.isTerminal) == [.delivered, .undelivered, .failed, .expired])
    }

    @Test func keyringSealsPerAccountAndRotates() throws {
        let old = try SecretKeyring.Key(id: "old", bytes: SecureRandom.bytes(32))
        let new = try SecretKeyring.Key(id: "new", bytes: SecureRandom.bytes(32))
        let secrets = ProviderSecrets(["app_secret": "s3cret"])
        let sealedOld = try SecretKeyring(active: old).seal(secrets, context: "a")
        let rotated = SecretKeyring(active: new, others: [old])
        #expect(try rotated.open(sealedOld.box, keyID: "old", context: "a") == secrets)
        #expect(try rotated.seal(secrets, context: "a").keyID == "new")
        #expect(throws: SecretKeyring.KeyringError.cannotOpen) { try rotated.open(sealedOld.box, keyID: "old", context: "b") }
        #expect(throws: SecretKeyring.KeyringError.unknownKey("gone")) { try rotated.open(sealedOld.box, keyID: "gone", context: "a") }
        #expect(!"\(secrets)".contains("s3cret"))
        #expect(throws: SecretKeyring.KeyringError.invalidKeyLength) { try SecretKeyring.Key(parsing: "k:c2hvcnQ=") }
    }
}
