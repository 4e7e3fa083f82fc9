import Foundation

/// JSON text with sorted keys: a parsed body or a set of form fields for the raw payload column, and
/// the API's message shapes (which carry each tenant's own `custom` object as sent).
///
/// Written by hand because `JSONSerialization` sorts keys with locale-aware string comparison and
/// casts every value through the Objective-C bridge: that was the largest single cost of taking a
/// callback in. Keys sort by their UTF-8 bytes.
public enum CanonicalJSON {
    public static func text(_ value: Any) -> String {
        bytes(value).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// The UTF-8 text of `value`, or nil when it holds something JSON cannot represent (a date, an
    /// optional, a non-finite number), where JSONSerialization would have thrown.
    public static func bytes(_ value: Any) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        guard write(value, into: &out) else { return nil }
        return out
    }

    /// Form fields: every value a string, so no value needs a dynamic cast.
    public static func text(_ fields: [String: String]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        _ = object(fields, into: &out) { text, out in
            string(text, into: &out)
            return true
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// An object with its keys in UTF-8 byte order; false when a value cannot be written.
    private static func object<Value>(_ members: [String: Value], into out: inout [UInt8], value: (Value, inout [UInt8]) -> Bool) -> Bool {
        out.append(UInt8(ascii: "{"))
        for (index, key) in members.keys.sorted(by: utf8Order).enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            string(key, into: &out)
            out.append(UInt8(ascii: ":"))
            guard value(members[key]!, &out) else { return false }
        }
        out.append(UInt8(ascii: "}"))
        return true
    }

    /// False when `value` holds something JSON cannot represent (then nothing sensible was written).
    private static func write(_ value: Any, into out: inout [UInt8]) -> Bool {
        // Most likely first: every failed cast of an `Any` costs a trip through the runtime.
        switch value {
        case let text as String:
            string(text, into: &out)
        case let members as [String: Any]:
            guard object(members, into: &out, value: { write($0, into: &$1) }) else { return false }
        case let number as NSNumber:
            // JSONSerialization's numbers and booleans; Swift's own Int, Double and Bool bridge to it too.
            switch JSONObject.kind(number) {
            case .bool: out.append(contentsOf: (number.boolValue ? "true" : "false").utf8)
            case .integer: out.append(contentsOf: number.stringValue.utf8)
            case .float:
                guard number.doubleValue.isFinite else { return false }
                out.append(contentsOf: "\(number.doubleValue)".utf8)
            }
        case let list as [Any]:
            out.append(UInt8(ascii: "["))
            for (index, element) in list.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                guard write(element, into: &out) else { return false }
            }
            out.append(UInt8(ascii: "]"))
        case is NSNull:
            out.append(contentsOf: "null".utf8)
        default:
            return false
        }
        return true
    }

    private static func utf8Order(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    private static let hex = Array("0123456789abcdef".utf8)

    private static func string(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
