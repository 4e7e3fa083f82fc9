import Cryptography
public import Foundation

/// The Gateway API v1 (docs/providers.md §1) as pure functions: request bodies in, typed results out.
/// The HTTP itself is the transport's business.
public enum GatewayAPI {
    package static let maxMobilesPerSend = 3000

    package enum Call: String, Sendable {
        case send = "/api/v1/send"
        case report = "/api/v1/report"
        case mo = "/api/v1/mo"
        case balance = "/api/v1/queryBalance"
    }

    package struct Credentials: Sendable {
        package var account: String
        package var password: String

        package init(account: String, password: String) {
            self.account = account
            self.password = password
        }

        /// `pwd`: MD5 of the API password, 32 lowercase hex characters.
        package var pwd: String { Digest.md5.hex(self.password) }
    }

    package struct SendRequest: Sendable, Equatable {
        package var taskID: String
        package var mobiles: [String]
        package var content: String
        package var extNo: String?

        package init(taskID: String, mobiles: [String], content: String, extNo: String?) {
            self.taskID = taskID
            self.mobiles = mobiles
            self.content = content
            self.extNo = extNo
        }
    }

    /// `application/x-www-form-urlencoded` body of a call.
    package static func form(_ call: Call, credentials: Credentials, send: SendRequest? = nil) -> [UInt8] {
        var fields: [(String, String)] = [("account", credentials.account), ("pwd", credentials.pwd)]
        if call == .send, let send {
            fields.append(("taskId", send.taskID))
            fields.append(("mobiles", send.mobiles.joined(separator: ",")))
            fields.append(("content", send.content))
            if let extNo = send.extNo { fields.append(("extNo", extNo)) }
        }
        return FormEncoding.body(fields)
    }

    /// A response envelope: `{"code": "00", "data": …, "message": "成功"}`.
    public struct Envelope: Sendable {
        package var code: String
        package var message: String?
        package var data: JSONValue?
        package var isSuccess: Bool { self.code == "00" }
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
        // The same reader as callbacks: a gateway is configured by a tenant, so its answers are input too.
        guard case .object(let members)? = try? JSONReader.parse(body, duplicates: .refuseDiffering) else { throw .notJSON }
        let object = JSONObject(members)
        guard let code = object.string("code") else { throw .missingCode }
        var message: String?
        if case .string(let text)? = object["message"] { message = text }
        return Envelope(code: code, message: message, data: object["data"])
    }

    /// The items of a report or reply pull: `data` is a list, or an object wrapping one (the document's
    /// malformed sample); each item as string fields plus its raw JSON.
    public static func items(_ envelope: Envelope) -> [(fields: [String: String], raw: String)] {
        var list: [JSONValue] = []
        switch envelope.data {
        case .array(let elements)?:
            list = elements
        case .object(let members)?:
            for member in members {
                if case .array(let elements) = member.value {
                    list = elements
                    break
                }
            }
        default:
            break
        }
        return list.compactMap { item in
            guard case .object(let members) = item else { return nil }
            let object = JSONObject(members)
            return (object.textFields, object.canonicalText)
        }
    }

    public struct Balance: Sendable, Equatable {
        public var balance: Decimal
        public var payment: String?
        package var raw: String
    }

    public static func balance(_ envelope: Envelope) -> Balance? {
        guard case .object(let members)? = envelope.data else { return nil }
        let data = JSONObject(members)
        let text: String
        switch data["balance"] {
        case .string(let value)?, .number(let value)?: text = value
        default: return nil
        }
        guard let amount = PlainDecimal.parse(text) else { return nil }
        var payment: String?
        switch data["payment"] {
        case .number(let value)?: payment = value == "1" ? "postpaid" : "prepaid"
        default: if case .string(let name)? = data["paymentName"] { payment = name }
        }
        return Balance(balance: amount, payment: payment, raw: data.canonicalText)
    }

    /// Splits recipients into tasks of at most 3000 numbers.
    package static func chunks<T>(_ items: [T]) -> [[T]] {
        items.slices(of: maxMobilesPerSend)
    }
}
