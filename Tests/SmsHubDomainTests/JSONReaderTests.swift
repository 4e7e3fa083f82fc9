import Foundation
import SmsHubDomain
import Testing

@Suite struct JSONReaderTests {
    func parse(_ text: String, _ duplicates: JSONReader.Duplicates = .refuse) throws(JSONReader.Failure) -> JSONValue {
        try JSONReader.parse(Array(text.utf8), duplicates: duplicates)
    }

    func failure(_ text: String, _ duplicates: JSONReader.Duplicates = .refuse) -> JSONReader.Failure? {
        do {
            _ = try self.parse(text, duplicates)
            return nil
        } catch {
            return error
        }
    }

    @Test func readsDocumentsAsWritten() throws {
        let value = try self.parse(#" {"b":[1,-0.5,2e3,true,false,null],"a":{"x":"\u4e2d\n\"\/"},"e":"😀\ud83d\ude00"} "#)
        #expect(value["b"] == .array([.number("1"), .number("-0.5"), .number("2e3"), .bool(true), .bool(false), .null]))
        #expect(value["a"]?["x"] == .string("中\n\"/"))
        #expect(value["e"] == .string("😀😀"))
        #expect(value.canonicalText == #"{"a":{"x":"中\n\"/"},"b":[1,-0.5,2e3,true,false,null],"e":"😀😀"}"#)
    }

    @Test func repeatedKeysFollowThePolicy() {
        #expect(self.failure(#"{"content":"a","content":"b"}"#) == .init(path: "content", reason: "is given more than once"))
        #expect(self.failure(#"{"content":"a","content":"a"}"#)?.path == "content", "the API refuses any repeat")
        #expect(self.failure(#"{"content":"a","content":"a"}"#, .refuseDiffering) == nil, "a provider may resend a field as it was")
        #expect(
            self.failure(#"{"s":{"d":{"id":1,"id":2}}}"#, .refuseDiffering)
                == .init(path: "s.d.id", reason: "is given more than once with different values")
        )
        // Past 16 members the reader indexes keys; the rule is the same.
        let many = (0..<40).map { #""k\#($0)":\#($0)"# }.joined(separator: ",")
        #expect(self.failure("{\(many),\"k3\":3}", .refuseDiffering) == nil)
        #expect(self.failure("{\(many),\"k33\":0}", .refuseDiffering)?.path == "k33")
    }

    @Test func refusesWhatPostgreSQLCannotStore() {
        #expect(self.failure(#"{"a":"x\u0000y"}"#) == .init(path: "a", reason: "contains U+0000 (NUL), which cannot be stored"))
        #expect(self.failure(#"{"a\u0000":1}"#)?.reason.contains("NUL") == true)
        #expect(self.failure(#"{"a":["\ud800"]}"#) == .init(path: "a[0]", reason: "contains an unpaired surrogate escape"))
        #expect(self.failure(#"{"a":"\udc00x"}"#)?.reason == "contains an unpaired surrogate escape")
        #expect(self.failure(#"{"a":"\ud800\u0041"}"#)?.reason == "contains an unpaired surrogate escape")
        #expect(self.failure(#"{"big":1e400}"#) == nil, "within ±1000, numeric holds it")
        #expect(self.failure(#"{"big":1e1001}"#)?.path == "big")
        #expect(self.failure(#"{"big":1e-99999999999999999999999}"#)?.path == "big", "an exponent too long for Int does not trap")
        #expect(self.failure(#"{"n":\#(String(repeating: "9", count: 101))}"#)?.reason == "is a number longer than 100 characters")
    }

    @Test func refusesMalformedAndTruncatedInput() {
        let bad = [
            "", " ", "{", "[", #"{"a""#, #"{"a":"#, #"{"a":1"#, #"{"a":1,"#, "[1,", #""abc"#, #""\"#, #""\u12"#, #"{"a":tru}"#,
            "nul", "01", "-", "1.", "1e", "1e+", ".5", "+1", "0x10", "NaN", "Infinity", "[1 2]", #"{"a" 1}"#, #"{a:1}"#, "{'a':1}",
            "[1,]", #"{"a":1,}"#, "\u{feff}{}", "{} {}", "\"tab\there\"", #""\x41""#, #""\U0041""#,
        ]
        for text in bad {
            #expect(self.failure(text) != nil, "\(text.debugDescription)")
        }
        #expect(self.failure(#"{"a":"\#u{01}"}"#)?.reason == "contains an unescaped control character")
        #expect(self.failure("[" + String(repeating: "[", count: 40) + String(repeating: "]", count: 41))?.reason.contains("nested") == true)
        #expect((try? JSONReader.parse([0x22, 0xC3, 0x28, 0x22], duplicates: .refuse)) == nil, "invalid UTF-8")
        #expect((try? JSONReader.parse([0x22, 0xED, 0xA0, 0x80, 0x22], duplicates: .refuse)) == nil, "an encoded surrogate is not UTF-8")
    }

    /// Everything JSONSerialization reads as valid JSON, this reader reads to the same canonical text
    /// (for documents without the values it refuses on purpose).
    @Test func agreesWithFoundationOnValidDocuments() throws {
        let documents = [
            #"{"server":"sms","message_id":"b$+8613800000000","itime":1679388949000,"status":{"message_status":"delivered"}}"#,
            #"{"a":[],"b":{},"c":"","d":[{"e":[null]}],"f":0,"g":-1,"h":"\u00e9\t"}"#,
        ]
        for document in documents {
            let ours = try self.parse(document).canonicalText
            let theirs = try JSONSerialization.jsonObject(with: Data(ours.utf8))
            let again = try JSONSerialization.jsonObject(with: Data(document.utf8))
            #expect(NSDictionary(dictionary: theirs as! [String: Any]).isEqual(to: again as! [String: Any]), "\(document)")
        }
    }
}

@Suite struct FormRulesTests {
    func fields(_ text: String, signatures: Set<String> = []) throws(CallbackError) -> [String: String] {
        try FormBody.urlEncoded(Array(text.utf8), signatureFields: signatures)
    }

    @Test func repeatedFieldsAreRefusedWhenTheyDisagreeAndSignaturesAlways() throws {
        #expect(try self.fields("status=DELIVRD&status=DELIVRD") == ["status": "DELIVRD"])
        #expect(throws: CallbackError.invalidField("status", "is given more than once with different values")) {
            try self.fields("status=DELIVRD&status=UNDELIV")
        }
        #expect(throws: CallbackError.invalidField("signature", "is given more than once")) {
            try self.fields("signature=a&signature=a", signatures: ["signature"])
        }
    }

    @Test func nulIsRefusedWhereverItIsEncoded() {
        for text in ["a=x%00y", "a%00=1", "a=%00"] {
            #expect(throws: CallbackError.self) { try self.fields(text) }
        }
        let multipart = "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\u{0}y\r\n--b--\r\n"
        #expect(throws: CallbackError.invalidField("a", "contains U+0000 (NUL), which cannot be stored")) {
            try FormBody.multipart(Array(multipart.utf8), boundary: "b")
        }
        let repeated =
            "--b\r\nContent-Disposition: form-data; name=\"events\"\r\n\r\nmo\r\n--b\r\nContent-Disposition: form-data; name=\"events\"\r\n\r\nrequest\r\n--b--\r\n"
        #expect(throws: CallbackError.invalidField("events", "is given more than once with different values")) {
            try FormBody.multipart(Array(repeated.utf8), boundary: "b")
        }
    }

    /// The boundary search must find a delimiter right after a partial match of itself.
    @Test func multipartBoundariesThatRepeatThemselvesAreFound() throws {
        let body = "--aa--aaab\r\nContent-Disposition: form-data; name=\"events\"\r\n\r\n--aa-mo\r\n--aaab--\r\n"
        #expect(try FormBody.multipart(Array(body.utf8), boundary: "aaab") == ["events": "--aa-mo"])
    }

    @Test func signatureHeadersComeOnce() {
        let twice = [(name: "X-SMSHook-Signature", value: "a"), (name: "x-smshook-signature", value: "a")]
        #expect(throws: CallbackError.self) { try CallbackRequest.headers(twice) }
        let other = [(name: "Accept", value: "a"), (name: "accept", value: "b")]
        #expect((try? CallbackRequest.headers(other)) == ["accept": "a"])
    }

    @Test func calendarImpossibleTimesAreRefused() {
        let zone = TimeZone(identifier: "Asia/Shanghai")!
        #expect(ProviderTime.local("2019-02-30 10:00:00", in: zone) == nil)
        #expect(ProviderTime.local("2019-02-28 23:59:60", in: zone) == nil)
        #expect(ProviderTime.local("2020-02-29 10:00:00", in: zone) != nil, "a leap day")
        #expect(ProviderTime.local("2100-02-29 10:00:00", in: zone) == nil, "2100 is not a leap year")
        #expect(ProviderTime.utc("2018-02-30T06:31:46Z") == nil)
        #expect(ProviderTime.utc("2018-04-31T06:31:46Z") == nil)
        #expect(ProviderTime.utc("2018-04-30T06:31:46Z") != nil)
    }
}

/// Inputs the fuzzers found; each stays as a test (and in fuzz/regressions/).
@Suite struct FuzzRegressionTests {
    /// FuzzSubmail: an unknown `events` value of 64 invalid-UTF-8 bytes (each read as U+FFFD, 3 bytes)
    /// made a 206-byte reason: `prefix(64)` counted Characters, and one Character can hold any number
    /// of combining scalars, so the reason was bounded in nothing. Now in UTF-8 bytes.
    @Test func unknownEventReasonsAreBoundedInBytes() throws {
        let account = CallbackAccountContext(
            settings: ProviderSettings(["app_id": "12345"]),
            secrets: ProviderSecrets(["subhook_key": "my_subhook_key"])
        )
        let sign = "token=067ef7e2f286a9a56eabb07dc9657852&signature=61bc33e46c8329ed51c264a0b0f700bb"
        let crash = try Data(
            contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .appendingPathComponent("../../fuzz/regressions/FuzzSubmail/unknown-event-reason-over-200-bytes")
        )
        for kind in [String(repeating: "\u{FFFD}", count: 64), "e" + String(repeating: "\u{301}", count: 5000)] {
            let query = "events=\(kind.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)&\(sign)"
            let parsed = try SubmailCallbackParser.parse(CallbackRequest(method: .get, query: query, body: []), account: account)
            guard case .unrecognised(let event) = try #require(parsed.events.first) else {
                Issue.record("not unrecognised")
                return
            }
            #expect(event.reason.utf8.count <= "submail event ".utf8.count + 64)
        }
        // The fuzzer's own input, through the same path its target takes (selector 3: a GET query).
        let query = String(decoding: crash.dropFirst(), as: UTF8.self)
        if let parsed = try? SubmailCallbackParser.parse(CallbackRequest(method: .get, query: query, body: []), account: account),
            case .unrecognised(let event)? = parsed.events.first
        {
            #expect(event.reason.utf8.count <= 78)
        }
        #expect("ab\u{301}c".prefix(utf8Bytes: 3) == "ab", "never half a scalar")
    }

    /// FuzzTimes (in CI's short pass): `2100-04-13T06:31:46Z` was read although Unix times stop at
    /// 2100-01-01; written and Unix provider times now share the years 2000 to 2099.
    @Test func providerTimesShareOneRange() {
        #expect(ProviderTime.utc("2100-04-13T06:31:46Z") == nil)
        #expect(ProviderTime.local("2100-01-01 00:00:00", in: TimeZone(identifier: "UTC")!) == nil)
        #expect(ProviderTime.unix(seconds: 4_102_444_801) == nil)
        #expect(ProviderTime.utc("2099-12-31T23:59:59Z") != nil)
        #expect("中文".prefix(utf8Bytes: 4) == "中")
    }
}
