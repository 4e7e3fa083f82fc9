import Foundation

/// Strict JSON for callback bodies: must be UTF-8, must be an object, and is read field by field with
/// the type a provider documents (accepting a number where a string is documented, and the reverse,
/// where providers.md says both occur).
public struct JSONObject: @unchecked Sendable {
    public let values: [String: Any]

    public init(_ values: [String: Any]) {
        self.values = values
    }

    public static func parse(_ bytes: [UInt8]) throws(CallbackError) -> JSONObject {
        guard String(validating: bytes, as: UTF8.self) != nil else { throw .malformed("body is not valid UTF-8") }
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: Data(bytes), options: [])
        } catch {
            throw .malformed("body is not valid JSON")
        }
        guard let object = parsed as? [String: Any] else { throw .malformed("body must be a JSON object") }
        return JSONObject(object)
    }

    public func object(_ key: String) -> JSONObject? {
        (self.values[key] as? [String: Any]).map(JSONObject.init)
    }

    public func array(_ key: String) -> [Any]? {
        self.values[key] as? [Any]
    }

    /// A string, or a number written as its decimal text.
    public func string(_ key: String) -> String? {
        Self.text(self.values[key])
    }

    public func integer(_ key: String) -> Int64? {
        switch self.values[key] {
        case let text as String:
            return Int64(text)
        case let number as NSNumber:
            switch Self.kind(number) {
            case .integer: return number.int64Value
            case .float:
                let double = number.doubleValue
                return double == double.rounded() && abs(double) < 9e15 ? Int64(double) : nil
            case .bool: return nil
            }
        default:
            return nil
        }
    }

    enum NumberKind { case integer, float, bool }

    static func kind(_ number: NSNumber) -> NumberKind {
        // objCType is a one-letter C string; read the letter rather than build a String of it.
        switch UInt8(bitPattern: number.objCType.pointee) {
        case UInt8(ascii: "c"), UInt8(ascii: "B"): .bool
        case UInt8(ascii: "d"), UInt8(ascii: "f"): .float
        default: .integer
        }
    }

    public func has(_ key: String) -> Bool { self.values[key] != nil }

    static func text(_ value: Any?) -> String? {
        switch value {
        case let text as String: return text
        case let number as NSNumber:
            return kind(number) == .integer ? number.stringValue : nil
        default: return nil
        }
    }

    /// Canonical JSON text of `value` (sorted keys), for the raw payload column.
    public static func serialise(_ value: Any) -> String {
        CanonicalJSON.text(value)
    }

    public static func serialise(_ fields: [String: String]) -> String {
        CanonicalJSON.text(fields)
    }
}

/// Field limits every parser applies, so absurd values are refused before anything is stored.
public enum FieldLimits {
    public static let idLength = 128
    public static let textLength = 4000
    public static let codeLength = 64

    public static func id(_ value: String?, field: String) throws(CallbackError) -> String {
        guard let value, !value.isEmpty else { throw .missingField(field) }
        guard value.utf8.count <= idLength else { throw .invalidField(field, "is longer than \(idLength) bytes") }
        return value
    }

    public static func text(_ value: String?, field: String, required: Bool = false) throws(CallbackError) -> String? {
        guard let value, !value.isEmpty else {
            if required { throw .missingField(field) }
            return nil
        }
        guard value.utf8.count <= textLength else { throw .invalidField(field, "is longer than \(textLength) bytes") }
        return value
    }

    public static func phone(_ value: String?, field: String) throws(CallbackError) -> PhoneNumber {
        guard let value, !value.isEmpty else { throw .missingField(field) }
        guard let number = PhoneNumber.parse(value) else { throw .invalidField(field, "is not a phone number") }
        return number
    }
}
