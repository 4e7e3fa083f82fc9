import SmsHubDomain

/// A message's `custom` object: stored as jsonb and returned as sent. PostgreSQL keeps a number as
/// `numeric`, which writes `1e2` back as `100` and `-0` as `0`; so a number that would come back
/// written differently is refused (400 naming it) rather than changed silently.
enum CustomData {
    static let maxBytes = 4096

    static func canonicalText(_ value: JSONValue?) throws -> String {
        guard let value, value != .null else { return "{}" }
        guard case .object = value else {
            throw Problem.validation([.init(field: "custom", message: "must be a JSON object")])
        }
        try self.checkNumbers(value, path: "custom")
        let text = value.canonicalText
        guard text.utf8.count <= self.maxBytes else {
            throw Problem.validation([.init(field: "custom", message: "may be at most \(self.maxBytes) bytes")])
        }
        return text
    }

    private static func checkNumbers(_ value: JSONValue, path: String) throws {
        switch value {
        case .number(let text):
            guard !text.utf8.contains(where: { $0 | 0x20 == UInt8(ascii: "e") }) else {
                throw Problem.invalidBody(field: path, "is a number with an exponent; write it in plain decimal (custom is returned exactly as sent)")
            }
            guard !(text.hasPrefix("-") && text.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "0") || $0 == UInt8(ascii: ".") }))
            else {
                throw Problem.invalidBody(field: path, "is negative zero, which would be returned as 0 (custom is returned exactly as sent)")
            }
        case .array(let elements):
            for (index, element) in elements.enumerated() { try self.checkNumbers(element, path: "\(path)[\(index)]") }
        case .object(let members):
            for member in members { try self.checkNumbers(member.value, path: "\(path).\(member.key)") }
        case .null, .bool, .string:
            break
        }
    }
}
