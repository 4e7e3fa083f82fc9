import Foundation

/// `application/x-www-form-urlencoded`, as the providers that take forms read it.
package enum FormEncoding {
    package static func body(_ fields: [(String, String)]) -> [UInt8] {
        Array(fields.map { "\(self.percentEncode($0.0))=\(self.percentEncode($0.1))" }.joined(separator: "&").utf8)
    }

    /// Everything but ASCII letters, digits and `-._~` as %XX of its UTF-8 bytes.
    package static func percentEncode(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(byte)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(Self.upperHex[Int(byte >> 4)])
                out.append(Self.upperHex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static let upperHex = Array("0123456789ABCDEF".utf8)
}
