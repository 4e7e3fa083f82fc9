/// A message's `custom` object: stored as jsonb and returned as sent. PostgreSQL keeps a number as
/// `numeric`, which writes `1e2` back as `100` and `-0` as `0`; so a number that would come back
/// written differently is refused (naming it) rather than changed silently.
package enum CustomData {
    package static let maxBytes = 4096

    package static func canonicalText(_ value: JSONValue?) throws(SendMessageError) -> String {
        guard let value, value != .null else { return "{}" }
        guard case .object = value else {
            throw .invalid([FieldProblem(field: "custom", message: "must be a JSON object")])
        }
        try self.checkNumbers(value, path: "custom")
        let text = value.canonicalText
        guard text.utf8.count <= self.maxBytes else {
            throw .invalid([FieldProblem(field: "custom", message: "may be at most \(self.maxBytes) bytes")])
        }
        return text
    }

    private static func checkNumbers(_ value: JSONValue, path: String) throws(SendMessageError) {
        switch value {
        case .number(let text):
            guard !text.utf8.contains(where: { $0 | 0x20 == UInt8(ascii: "e") }) else {
                throw .malformed(field: path, reason: "is a number with an exponent; write it in plain decimal (custom is returned exactly as sent)")
            }
            guard !(text.hasPrefix("-") && text.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "0") || $0 == UInt8(ascii: ".") }))
            else {
                throw .malformed(field: path, reason: "is negative zero, which would be returned as 0 (custom is returned exactly as sent)")
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
