import Cryptography
import Foundation

/// Sending through SUBMAIL (docs/providers.md, "Sending through SUBMAIL"): requests signed in digest
/// mode, answers read number by number. One number goes to `/sms/send` or `/sms/xsend`; more go to
/// `/sms/multisend` or `/sms/multixsend`, whose answers name each number by its place in the call.
public enum SubmailSend {
    /// What SUBMAIL advises for one multisend call.
    package static let maxNumbersPerCall = 50

    package struct Credentials: Sendable {
        package var appID: String
        package var appKey: String

        package init(appID: String, appKey: String) {
            self.appID = appID
            self.appKey = appKey
        }
    }

    package enum Content: Sendable, Equatable {
        /// Text that starts with its 【signature】; SUBMAIL matches it against the approved templates.
        case text(String)
        /// A SUBMAIL template (its `project` id) and the values of its `@var(name)`s.
        case project(String, variables: [String: String])
    }

    package enum SignType: String, Sendable {
        case md5
        case sha1

        var digest: Digest { self == .md5 ? .md5 : .sha1 }
    }

    /// The number SUBMAIL's domestic API takes: a mainland number's 11 digits. Others are refused by
    /// this API (international messages are another API and another app); nil then.
    package static func destination(_ e164: String) -> String? {
        guard e164.hasPrefix("+86"), e164.utf8.count == 14 else { return nil }
        return String(e164.dropFirst(3))
    }

    /// `timestamp` must be SUBMAIL's own clock within 6 s: fetched before each call.
    package static let timestampRequest = ProviderRequest(method: .get, path: "/service/timestamp", headers: [], body: [])

    package static func timestamp(_ body: [UInt8]) -> Int64? {
        guard case .object(let members)? = try? JSONReader.parse(body, duplicates: .refuseDiffering),
            let value = JSONObject(members).integer("timestamp"), value > 0
        else { return nil }
        return value
    }

    /// A send to `numbers` (mainland, national), tagged with the attempt; `numbers` has 1 to
    /// `maxNumbersPerCall` elements.
    package static func send(
        to numbers: [String],
        content: Content,
        tag: String,
        timestamp: Int64,
        credentials: Credentials,
        signType: SignType = .sha1
    ) -> ProviderRequest {
        var fields: [(String, String)] = [("appid", credentials.appID)]
        let path: String
        switch (content, numbers.count) {
        case (.text(let text), 1):
            path = "/sms/send"
            fields += [("to", numbers[0]), ("content", text)]
        case (.project(let project, let variables), 1):
            path = "/sms/xsend"
            fields += [("to", numbers[0]), ("project", project), ("vars", Self.json(variables))]
        case (.text(let text), _):
            path = "/sms/multisend"
            fields += [("content", text), ("multi", Self.multi(numbers, variables: [:]))]
        case (.project(let project, let variables), _):
            path = "/sms/multixsend"
            fields += [("project", project), ("multi", Self.multi(numbers, variables: variables))]
        }
        fields += [("timestamp", String(timestamp)), ("sign_type", signType.rawValue)]
        fields.append(("signature", Self.signature(fields, credentials: credentials, signType: signType)))
        fields.append(("tag", tag))
        return ProviderRequest(
            method: .post,
            path: path,
            headers: [HeaderField("Content-Type", "application/x-www-form-urlencoded")],
            body: FormEncoding.body(fields)
        )
    }

    package static func balanceRequest(timestamp: Int64, credentials: Credentials, signType: SignType = .sha1) -> ProviderRequest {
        var fields: [(String, String)] = [("appid", credentials.appID), ("timestamp", String(timestamp)), ("sign_type", signType.rawValue)]
        fields.append(("signature", Self.signature(fields, credentials: credentials, signType: signType)))
        return ProviderRequest(
            method: .post,
            path: "/balance/sms",
            headers: [HeaderField("Content-Type", "application/x-www-form-urlencoded")],
            body: FormEncoding.body(fields)
        )
    }

    /// Digest mode: every field but `signature` and `tag` (with `sign_version=2` also `content`,
    /// `vars` and `multi`), sorted by name, joined as `k=v&…` with raw values, between the app id and
    /// key twice. The plain mode would put the key itself on the wire.
    package static func signature(_ fields: [(String, String)], credentials: Credentials, signType: SignType) -> String {
        let version2 = fields.contains { $0.0 == "sign_version" && $0.1 == "2" }
        let unsigned: Set<String> = version2 ? ["signature", "tag", "content", "vars", "multi"] : ["signature", "tag"]
        let joined = fields.filter { !unsigned.contains($0.0) }
            .sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
        let secret = credentials.appID + credentials.appKey
        return signType.digest.hex(secret + joined + secret)
    }

    /// One outcome per number, in the order of `numbers` (as sent).
    public static func outcomes(status: Int, body: [UInt8], numbers: [String]) -> [NumberOutcome] {
        if let lost = ProviderAnswer.lost(status: status) { return NumberOutcome.unknown(numbers.count, reason: lost) }
        guard let answer = try? JSONReader.parse(body, duplicates: .refuseDiffering) else {
            return ProviderAnswer.unreadable(status: status, count: numbers.count)
        }
        switch answer {
        case .object(let members):
            let outcome = Self.outcome(JSONObject(members), status: status)
            // A whole multisend refused answers with one error object; one accepted object cannot
            // say which of several numbers it accepted.
            if numbers.count > 1, case .accepted = outcome {
                return NumberOutcome.unknown(numbers.count, reason: "one answer for several numbers")
            }
            return Array(repeating: outcome, count: numbers.count)
        case .array(let elements):
            return numbers.enumerated().map { index, number in
                guard index < elements.count, case .object(let members) = elements[index] else {
                    return .unknown(reason: "the answer has no element for this number")
                }
                let element = JSONObject(members)
                if let shown = element.string("to"), PhoneNumber.parse(shown)?.e164 != "+86" + number {
                    return .unknown(reason: "the answer's element names another number")
                }
                return Self.outcome(element, status: status)
            }
        default:
            return NumberOutcome.unknown(numbers.count, reason: "the answer is neither an object nor a list")
        }
    }

    /// `/balance/sms`: general message credits, as strings.
    package static func balance(_ body: [UInt8]) -> ProviderBalance? {
        guard case .object(let members)? = try? JSONReader.parse(body, duplicates: .refuseDiffering) else { return nil }
        let answer = JSONObject(members)
        guard answer.string("status") == "success", let text = answer.string("balance"), let amount = PlainDecimal.parse(text) else { return nil }
        return ProviderBalance(amount: amount, raw: answer.canonicalText)
    }

    private static func outcome(_ element: JSONObject, status: Int) -> NumberOutcome {
        switch element.string("status") {
        case "success"? where !(200...299).contains(status):
            // A success under an HTTP error contradicts itself: the message may be out.
            return .unknown(reason: "a success answered with HTTP \(status)")
        case "success"?:
            let fee = element.integer("fee").flatMap { (0...1000).contains($0) ? Int($0) : nil }
            return .accepted(providerID: ProviderMessageID.bounded(element.string("send_id")), segments: fee)
        case "error"?:
            guard let code = element.string("code") else { return .unknown(reason: "an error without a code") }
            return Self.codes.outcome(code: code, message: element.string("msg"))
        default:
            return .unknown(reason: "the answer has no status")
        }
    }

    /// docs/providers.md, SUBMAIL's classes (a) and (b).
    package static let codes = RefusalCodes(
        account: RefusalCodes.codes(
            101...113,
            116...120,
            151...152,
            201...201,
            203...203,
            252...252,
            501...501,
            305...307,
            310...310,
            401...407,
            409...422,
            901...901,
            903...905
        ),
        number: RefusalCodes.codes(114...115, 202...202, 251...251, 253...253, 408...408)
    )

    private static func json(_ variables: [String: String]) -> String {
        var writer = JSONWriter()
        Self.write(variables, to: &writer)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    private static func multi(_ numbers: [String], variables: [String: String]) -> String {
        var writer = JSONWriter()
        writer.array { list in
            for number in numbers {
                list.object { entry in
                    entry.key("to")
                    entry.string(number)
                    entry.key("vars")
                    Self.write(variables, to: &entry)
                }
            }
        }
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    private static func write(_ variables: [String: String], to writer: inout JSONWriter) {
        writer.object { object in
            for (name, value) in variables.sorted(by: { $0.key < $1.key }) {
                object.key(name)
                object.string(value)
            }
        }
    }
}
