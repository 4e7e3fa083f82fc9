import Foundation

/// JSON text of a parsed body or a set of form fields, keys sorted, for the raw payload column.
///
/// Written by hand because `JSONSerialization` sorts keys with locale-aware string comparison and
/// casts every value through the Objective-C bridge: that was the largest single cost of taking a
/// callback in. Keys sort by their UTF-8 bytes.
public enum CanonicalJSON {
    public static func text(_ value: Any) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        guard write(value, into: &out) else { return "{}" }
        return String(decoding: out, as: UTF8.self)
    }

    /// False when `value` holds something JSON cannot represent (then nothing sensible was written).
    private static func write(_ value: Any, into out: inout [UInt8]) -> Bool {
        switch value {
        case let text as String:
            string(text, into: &out)
        case let fields as [String: String]:
            out.append(UInt8(ascii: "{"))
            for (index, key) in fields.keys.sorted(by: utf8Order).enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                string(key, into: &out)
                out.append(UInt8(ascii: ":"))
                string(fields[key]!, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        case let object as [String: Any]:
            out.append(UInt8(ascii: "{"))
            for (index, key) in object.keys.sorted(by: utf8Order).enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                string(key, into: &out)
                out.append(UInt8(ascii: ":"))
                guard write(object[key]!, into: &out) else { return false }
            }
            out.append(UInt8(ascii: "}"))
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
            guard let number = self.number(value) else { return false }
            out.append(contentsOf: number.utf8)
        }
        return true
    }

    /// Numbers and booleans as JSONSerialization hands them over (NSNumber), or as Swift values.
    private static func number(_ value: Any) -> String? {
        switch value {
        case let flag as Bool where type(of: value) == Bool.self: return flag ? "true" : "false"
        case let integer as Int where type(of: value) == Int.self: return String(integer)
        case let double as Double where type(of: value) == Double.self: return double.isFinite ? "\(double)" : nil
        case let number as NSNumber:
            switch JSONObject.kind(number) {
            case .bool: return number.boolValue ? "true" : "false"
            case .integer: return number.stringValue
            case .float: return number.doubleValue.isFinite ? "\(number.doubleValue)" : nil
            }
        default: return nil
        }
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
