/// A JSON document as `JSONReader` reads it: members in the order written, numbers as their text
/// (so nothing is rounded through a Double on the way to storage).
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number exactly as written; `JSONReader` has checked its grammar and range.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([JSONMember])

    /// The value of `key` when this is an object (the first, where duplicates were allowed).
    package subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// JSON text with object keys in UTF-8 byte order, for the raw payload column.
    public var canonicalText: String {
        var out = JSONWriter()
        self.write(into: &out)
        return String(decoding: out.bytes, as: UTF8.self)
    }

    package func write(into out: inout JSONWriter) {
        switch self {
        case .null: out.null()
        case .bool(let value): out.bool(value)
        case .number(let text): out.raw(text.utf8)
        case .string(let text): out.string(text)
        case .array(let elements):
            out.array { out in
                for element in elements { element.write(into: &out) }
            }
        case .object(let members):
            out.object { out in
                for member in members.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
                    out.key(member.key)
                    member.value.write(into: &out)
                }
            }
        }
    }
}

public struct JSONMember: Sendable, Equatable {
    package var key: String
    package var value: JSONValue

    package init(_ key: String, _ value: JSONValue) {
        self.key = key
        self.value = value
    }
}
