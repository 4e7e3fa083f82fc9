import Cryptography
import Foundation

/// The Gateway API v1 (providers.md §1) as pure functions: request bodies in, typed results out.
/// The HTTP itself is the transport's business.
public enum GatewayAPI {
    public static let maxMobilesPerSend = 3000

    public enum Call: String, Sendable {
        case send = "/api/v1/send"
        case report = "/api/v1/report"
        case mo = "/api/v1/mo"
        case balance = "/api/v1/queryBalance"
    }

    public struct Credentials: Sendable {
        public var account: String
        public var password: String

        public init(account: String, password: String) {
            self.account = account
            self.password = password
        }

        /// `pwd`: MD5 of the API password, 32 lowercase hex characters.
        public var pwd: String { Digest.md5.hex(self.password) }
    }

    public struct SendRequest: Sendable, Equatable {
        public var taskID: String
        public var mobiles: [String]
        public var content: String
        public var extNo: String?

        public init(taskID: String, mobiles: [String], content: String, extNo: String?) {
            self.taskID = taskID
            self.mobiles = mobiles
            self.content = content
            self.extNo = extNo
        }
    }

    /// `application/x-www-form-urlencoded` body of a call.
    public static func form(_ call: Call, credentials: Credentials, send: SendRequest? = nil) -> [UInt8] {
        var fields: [(String, String)] = [("account", credentials.account), ("pwd", credentials.pwd)]
        if call == .send, let send {
            fields.append(("taskId", send.taskID))
            fields.append(("mobiles", send.mobiles.joined(separator: ",")))
            fields.append(("content", send.content))
            if let extNo = send.extNo { fields.append(("extNo", extNo)) }
        }
        return Array(fields.map { "\(percentEncode($0.0))=\(percentEncode($0.1))" }.joined(separator: "&").utf8)
    }

    /// Form-encodes a value: everything but ASCII letters, digits and `-._~` as %XX of its UTF-8 bytes.
    public static func percentEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        // alphanumerics includes non-ASCII letters; encode those too.
        return text.unicodeScalars.map { scalar in
            scalar.isASCII && allowed.contains(scalar) ? String(scalar) : Array(String(scalar).utf8).map { String(format: "%%%02X", $0) }.joined()
        }.joined()
    }

    /// A response envelope: `{"code": "00", "data": …, "message": "成功"}`.
    public struct Envelope: @unchecked Sendable {
        public var code: String
        public var message: String?
        public var data: Any?
        public var isSuccess: Bool { self.code == "00" }
    }

    public enum ResponseError: Error, Equatable, Sendable, CustomStringConvertible {
        case notJSON
        case missingCode

        public var description: String {
            switch self {
            case .notJSON: "the gateway's response is not a JSON object"
            case .missingCode: "the gateway's response has no code"
            }
        }
    }

    public static func envelope(_ body: [UInt8]) throws(ResponseError) -> Envelope {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else { throw .notJSON }
        guard let code = JSONObject.text(object["code"]) else { throw .missingCode }
        return Envelope(code: code, message: object["message"] as? String, data: object["data"])
    }

    /// The items of a report or reply pull: `data` is a list, or an object wrapping one (the document's
    /// malformed sample); each item as string fields plus its raw JSON.
    public static func items(_ envelope: Envelope) -> [(fields: [String: String], raw: String)] {
        var list: [Any] = []
        if let array = envelope.data as? [Any] {
            list = array
        } else if let object = envelope.data as? [String: Any], let inner = object.values.first(where: { $0 is [Any] }) as? [Any] {
            list = inner
        }
        return list.compactMap { item in
            guard let object = item as? [String: Any] else { return nil }
            var fields: [String: String] = [:]
            for (key, value) in object { if let text = JSONObject.text(value) { fields[key] = text } }
            return (fields, JSONObject.serialise(object))
        }
    }

    public struct Balance: Sendable, Equatable {
        public var balance: Decimal
        public var payment: String?
        public var raw: String
    }

    public static func balance(_ envelope: Envelope) -> Balance? {
        guard let data = envelope.data as? [String: Any], let value = data["balance"] else { return nil }
        let text = (value as? String) ?? (value as? NSNumber)?.stringValue
        guard let text, let amount = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) else { return nil }
        let payment = (data["payment"] as? NSNumber).map { $0.intValue == 1 ? "postpaid" : "prepaid" } ?? (data["paymentName"] as? String)
        return Balance(balance: amount, payment: payment, raw: JSONObject.serialise(data))
    }

    /// Splits recipients into tasks of at most 3000 numbers.
    public static func chunks<T>(_ items: [T]) -> [[T]] {
        stride(from: 0, to: items.count, by: maxMobilesPerSend).map { Array(items[$0..<min($0 + maxMobilesPerSend, items.count)]) }
    }
}
