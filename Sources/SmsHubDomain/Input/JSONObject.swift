import Foundation

/// A callback's JSON object, read by `JSONReader` (a key repeated with different values, NUL and
/// unstorable numbers refused) and then field by field with the type a provider documents
/// (accepting a number where a string is documented, and the reverse, where providers.md says both occur).
public struct JSONObject: Sendable {
    package let members: [JSONMember]

    package init(_ members: [JSONMember]) {
        self.members = members
    }

    package static func parse(_ bytes: [UInt8]) throws(CallbackError) -> JSONObject {
        let value: JSONValue
        do {
            value = try JSONReader.parse(bytes, duplicates: .refuseDiffering)
        } catch {
            if error.isSyntax { throw .malformed("body is not valid JSON (\(error.syntaxDetail))") }
            throw error.path == "body" ? .malformed("body \(error.reason)") : .invalidField(error.path, error.reason)
        }
        guard case .object(let members) = value else { throw .malformed("body must be a JSON object") }
        return JSONObject(members)
    }

    package var isEmpty: Bool { self.members.isEmpty }
    package var value: JSONValue { .object(self.members) }

    package subscript(key: String) -> JSONValue? {
        self.members.first { $0.key == key }?.value
    }

    package func object(_ key: String) -> JSONObject? {
        guard case .object(let members) = self[key] else { return nil }
        return JSONObject(members)
    }

    package func array(_ key: String) -> [JSONValue]? {
        guard case .array(let elements) = self[key] else { return nil }
        return elements
    }

    /// A string, or a number written as its decimal text.
    package func string(_ key: String) -> String? {
        Self.text(self[key])
    }

    /// An integer, from a string of digits or a number without a fractional part (below 9e15, where
    /// a Double written by a provider is still exact).
    package func integer(_ key: String) -> Int64? {
        switch self[key] {
        case .string(let text)?:
            return Int64(text)
        case .number(let text)?:
            if let value = Int64(text) { return value }
            guard let double = Double(text), double.isFinite, double == double.rounded(), abs(double) < 9e15 else { return nil }
            return Int64(exactly: double)
        default:
            return nil
        }
    }

    package func has(_ key: String) -> Bool { self[key] != nil }

    /// A string, or an integer number's digits; nil for anything else.
    package static func text(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let text)?: return text
        case .number(let text)? where !text.utf8.contains(where: { $0 == UInt8(ascii: ".") || $0 | 0x20 == UInt8(ascii: "e") }):
            return text
        default: return nil
        }
    }

    /// String fields of the object (those `text` reads), for providers whose fields are all strings.
    package var textFields: [String: String] {
        var fields: [String: String] = [:]
        for member in self.members {
            if let text = Self.text(member.value) { fields[member.key] = text }
        }
        return fields
    }

    /// Canonical JSON text (sorted keys), for the raw payload column.
    package var canonicalText: String { self.value.canonicalText }

    /// Form fields as JSON text for the raw payload column, keys in UTF-8 byte order: every value a
    /// string, so nothing needs a dynamic cast (decision 0018).
    public static func serialise(_ fields: [String: String]) -> String {
        var out = JSONWriter()
        out.object { out in
            for (key, value) in fields.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
                out.key(key)
                out.string(value)
            }
        }
        return String(decoding: out.bytes, as: UTF8.self)
    }
}
