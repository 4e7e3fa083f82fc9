import Cryptography
package import Foundation

/// Sending through Huawei Cloud MSGSMS (docs/providers.md, "Sending through Huawei Cloud"):
/// `batchSendSms` with one template, authenticated by an X-WSSE header, read number by number.
public enum HuaweiSend {
    package static let maxNumbersPerCall = 500

    package struct Credentials: Sendable {
        package var appKey: String
        package var appSecret: String

        package init(appKey: String, appSecret: String) {
            self.appKey = appKey
            self.appSecret = appSecret
        }
    }

    /// A Huawei template as an account registered it: its id, the channel number of its signature,
    /// and the signature's name, which only generic templates take.
    package struct Template: Sendable, Equatable {
        package var id: String
        package var channel: String
        package var signature: String?

        package init(id: String, channel: String, signature: String?) {
            self.id = id
            self.channel = channel
            self.signature = signature
        }
    }

    /// A send to `numbers` (E.164, with their plus), 1 to `maxNumbersPerCall` of them. `extend`
    /// carries the attempt's tag back in every status report; `statusCallback` is the account's
    /// callback URL (nil leaves Huawei to the address set in its console for the application).
    package static func send(
        to numbers: [String],
        template: Template,
        parameters: [String],
        statusCallback: String?,
        tag: String,
        credentials: Credentials,
        nonce: String,
        created: Date
    ) -> ProviderRequest {
        var parameterList = JSONWriter()
        parameterList.array { list in
            for parameter in parameters { list.string(parameter) }
        }
        var fields: [(String, String)] = [
            ("from", template.channel),
            ("to", numbers.joined(separator: ",")),
            ("templateId", template.id),
            ("templateParas", String(decoding: parameterList.bytes, as: UTF8.self)),
        ]
        if let statusCallback { fields.append(("statusCallback", statusCallback)) }
        if let signature = template.signature { fields.append(("signature", signature)) }
        fields.append(("extend", tag))
        return ProviderRequest(
            method: .post,
            path: "/sms/batchSendSms/v1",
            headers: [HeaderField("Content-Type", "application/x-www-form-urlencoded")]
                + Self.authentication(credentials, nonce: nonce, created: created),
            body: FormEncoding.body(fields)
        )
    }

    /// `Authorization` and `X-WSSE`. The digest is Base64 of the SHA-256's hex text, as Huawei's header
    /// example and Python sample have it (its prose says Base64 of the hash: decision 0019).
    package static func authentication(_ credentials: Credentials, nonce: String, created: Date) -> [HeaderField] {
        let createdText = RFC3339.format(created)
        let digest = Self.passwordDigest(nonce: nonce, created: createdText, secret: credentials.appSecret)
        return [
            HeaderField("Authorization", #"WSSE realm="SDP",profile="UsernameToken",type="Appkey""#),
            HeaderField(
                "X-WSSE",
                #"UsernameToken Username="\#(credentials.appKey)",PasswordDigest="\#(digest)",Nonce="\#(nonce)",Created="\#(createdText)""#
            ),
        ]
    }

    package static func passwordDigest(nonce: String, created: String, secret: String) -> String {
        Data(Digest.sha256.hex(nonce + created + secret).utf8).base64EncodedString()
    }

    /// A nonce of 32 hex digits (Huawei takes 1 to 128 letters and digits).
    package static func nonce() -> String {
        Hex.encode(SecureRandom.bytes(16))
    }

    /// One outcome per number, in the order of `numbers` (E.164, as sent).
    public static func outcomes(status: Int, body: [UInt8], numbers: [String]) -> [NumberOutcome] {
        if let lost = ProviderAnswer.lost(status: status) { return NumberOutcome.unknown(numbers.count, reason: lost) }
        guard case .object(let members)? = try? JSONReader.parse(body, duplicates: .refuseDiffering) else {
            // A wrong base URL or path: nothing was sent, and another account may serve.
            if status == 404 { return Array(repeating: .refusedForAccount(Refusal(code: "http_404", message: nil)), count: numbers.count) }
            return ProviderAnswer.unreadable(status: status, count: numbers.count)
        }
        let answer = JSONObject(members)
        guard let code = answer.string("code") else {
            return ProviderAnswer.unreadable(status: status, count: numbers.count)
        }
        if code == Self.success, !(200...299).contains(status) {
            // A success under an HTTP error contradicts itself: the message may be out.
            return NumberOutcome.unknown(numbers.count, reason: "a success answered with HTTP \(status)")
        }
        guard code == Self.success else {
            return Array(repeating: Self.codes.outcome(code: code, message: answer.string("description")), count: numbers.count)
        }
        var byNumber: [String: JSONObject] = [:]
        for case .object(let item) in answer.array("result") ?? [] {
            let element = JSONObject(item)
            if let shown = element.string("originTo"), let e164 = PhoneNumber.parse(shown)?.e164, byNumber[e164] == nil {
                byNumber[e164] = element
            }
        }
        return numbers.map { number in
            guard let element = byNumber[number] else { return .unknown(reason: "the answer does not name this number") }
            let id = ProviderMessageID.bounded(element.string("smsMsgId"))
            let parts = element.integer("total").flatMap { (1...1000).contains($0) ? Int($0) : nil }
            switch element.string("status") {
            case Self.success?, Self.sentOnce?:
                return id == nil ? .unknown(reason: "accepted without an id") : .accepted(providerID: id, segments: parts)
            case let status?:
                return Self.codes.outcome(code: status, message: nil)
            case nil:
                return .unknown(reason: "the answer gives this number no status")
            }
        }
    }

    private static let success = "000000"
    /// The number appears twice in the call and one copy is sent: an acceptance.
    private static let sentOnce = "E200041"

    /// docs/providers.md, Huawei's class (a), call codes and the per-number statuses that hit every
    /// number alike; every other status refuses its number.
    package static let codes = RefusalCodes(
        account: [
            "E000000", "E000001", "E000045", "E000101", "E000102", "E000103", "E000104", "E000110", "E000111", "E000112",
            "E000503", "E000620", "E200015", "E200028", "E200029", "E200030", "E200031", "E200033",
        ],
        number: []
    )
}
