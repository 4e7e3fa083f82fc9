import Foundation
import SmsHubDomain

/// JSON text with sorted keys from `JSONSerialization`-shaped values: the bodies the simulator answers
/// and pushes. Keys sorted by their UTF-8 bytes, so a body reads the same on every run (decision 0018).
package enum CanonicalJSON {
    package static func text(_ value: Any) -> String {
        bytes(value).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// The UTF-8 text of `value`, or nil when it holds something JSON cannot represent (a date, an
    /// optional, a non-finite number), where JSONSerialization would have thrown.
    package static func bytes(_ value: Any) -> [UInt8]? {
        var out = JSONWriter()
        guard write(value, into: &out) else { return nil }
        return out.bytes
    }

    /// An object with its keys in UTF-8 byte order; false when a value cannot be written.
    private static func object<Value>(_ members: [String: Value], into out: inout JSONWriter, value: (Value, inout JSONWriter) -> Bool) -> Bool {
        var written = true
        out.object { out in
            for key in members.keys.sorted(by: utf8Order) where written {
                out.key(key)
                written = value(members[key]!, &out)
            }
        }
        return written
    }

    /// False when `value` holds something JSON cannot represent (then nothing sensible was written).
    private static func write(_ value: Any, into out: inout JSONWriter) -> Bool {
        // Most likely first: every failed cast of an `Any` costs a trip through the runtime, and the
        // containers come before NSNumber because asking whether an array is an NSNumber bridges it.
        switch value {
        case let text as String:
            out.string(text)
        case let members as [String: Any]:
            return object(members, into: &out, value: { write($0, into: &$1) })
        case let list as [Any]:
            var written = true
            out.array { out in
                for element in list where written {
                    written = write(element, into: &out)
                }
            }
            return written
        case let number as NSNumber:
            // JSONSerialization's numbers and booleans; Swift's own Int, Double and Bool bridge to it too.
            switch kind(number) {
            case .bool: out.bool(number.boolValue)
            case .integer: out.raw(number.stringValue.utf8)
            case .float:
                guard number.doubleValue.isFinite else { return false }
                out.raw("\(number.doubleValue)".utf8)
            }
        case is NSNull:
            out.null()
        default:
            return false
        }
        return true
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

    private static func utf8Order(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}
