import Cryptography
import Foundation

/// `application/x-www-form-urlencoded` and `multipart/form-data` bodies, and query strings, as
/// string fields. Every value is a string in these encodings (docs/providers.md §3).
public enum FormBody {
    /// Fields of a urlencoded body or query string. A name given twice with the same value counts
    /// once; with different values, or when it is one of `signatureFields`, it is refused: which copy
    /// a provider meant cannot be told, and a repeated signature is never one the provider wrote.
    public static func urlEncoded(
        _ bytes: [UInt8],
        field: String = "body",
        signatureFields: Set<String> = []
    ) throws(CallbackError) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            let name = try decode(parts[0], field: field)
            guard !name.isEmpty else { continue }
            let value = parts.count > 1 ? try decode(parts[1], field: name) : ""
            try self.add(name, value, to: &fields, signatureFields: signatureFields)
        }
        return fields
    }

    /// The most fields one form may carry. Genuine callbacks have about fifteen; each field costs its
    /// name again in the stored raw payload, so many tiny ones would store more than the body.
    package static let maxFields = 100

    static func add(_ name: String, _ value: String, to fields: inout [String: String], signatureFields: Set<String>) throws(CallbackError) {
        guard let existing = fields[name] else {
            guard fields.count < maxFields else { throw .malformed("form has more than \(maxFields) fields") }
            fields[name] = value
            return
        }
        if signatureFields.contains(name) { throw .invalidField(name, "is given more than once") }
        guard existing == value else { throw .invalidField(name, "is given more than once with different values") }
    }

    /// Text PostgreSQL can store: no U+0000, which a form carries as `%00`. Other control characters
    /// than tab, LF and CR are refused too: no provider sends them, and the stored JSON writes each as
    /// six bytes, so a body of them would store six times its size.
    static func storable(_ text: String, field: String) throws(CallbackError) -> String {
        guard !text.utf8.contains(0) else { throw .invalidField(field, "contains U+0000 (NUL), which cannot be stored") }
        guard !text.utf8.contains(where: { $0 < 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }) else {
            throw .invalidField(field, "contains a control character other than tab, LF and CR")
        }
        return text
    }

    private static func decode(_ bytes: ArraySlice<UInt8>, field: String) throws(CallbackError) -> String {
        // Most values have nothing escaped: read them in place instead of copying byte by byte.
        if !bytes.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) {
            guard let text = String(validating: bytes, as: UTF8.self) else { throw .malformed("form value is not valid UTF-8") }
            return try storable(text, field: field)
        }
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%") {
                guard index + 2 < bytes.endIndex, let hi = Hex.digitValue(bytes[index + 1]), let lo = Hex.digitValue(bytes[index + 2]) else {
                    throw .malformed("invalid percent-encoding")
                }
                out.append(hi << 4 | lo)
                index += 2
            } else {
                out.append(byte)
            }
            index += 1
        }
        guard let text = String(validating: out, as: UTF8.self) else { throw .malformed("form value is not valid UTF-8") }
        return try storable(text, field: field)
    }

    /// Text fields of a `multipart/form-data` body (file parts are ignored).
    public static func multipart(_ bytes: [UInt8], boundary: String?, signatureFields: Set<String> = []) throws(CallbackError) -> [String: String] {
        guard let boundary, !boundary.isEmpty, boundary.utf8.count <= 200 else { throw .malformed("multipart body without a boundary") }
        let delimiter = Array(("--" + boundary).utf8)
        var fields: [String: String] = [:]
        var parts: [ArraySlice<UInt8>] = []
        var cursor = 0
        var starts: [Int] = []
        while let found = find(delimiter, in: bytes, from: cursor) {
            starts.append(found)
            cursor = found + delimiter.count
        }
        guard starts.count >= 2 else { throw .malformed("multipart body has no closing boundary") }
        for (a, b) in zip(starts, starts.dropFirst()) {
            var start = a + delimiter.count
            // Skip the CRLF after the delimiter; the part ends before the CRLF preceding the next one.
            if start + 1 < bytes.count, bytes[start] == 13, bytes[start + 1] == 10 { start += 2 }
            var end = b
            if end >= 2, bytes[end - 2] == 13, bytes[end - 1] == 10 { end -= 2 }
            if start <= end { parts.append(bytes[start..<end]) }
        }
        guard let last = starts.last else { throw .malformed("multipart body has no closing boundary") }
        let closing = last + delimiter.count
        guard closing + 1 < bytes.count, bytes[closing] == UInt8(ascii: "-"), bytes[closing + 1] == UInt8(ascii: "-") else {
            throw .malformed("multipart body is truncated")
        }
        for part in parts {
            guard let split = find([13, 10, 13, 10], in: Array(part), from: 0) else { throw .malformed("multipart part without headers") }
            let partBytes = Array(part)
            guard let headerText = String(validating: partBytes[..<split], as: UTF8.self) else { throw .malformed("multipart headers are not UTF-8") }
            guard let value = String(validating: partBytes[(split + 4)...], as: UTF8.self) else {
                throw .malformed("multipart value is not valid UTF-8")
            }
            var name: String?
            var isFile = false
            for line in headerText.split(separator: "\r\n") where line.lowercased().hasPrefix("content-disposition:") {
                for attribute in line.split(separator: ";").dropFirst() {
                    let pair = attribute.split(separator: "=", maxSplits: 1)
                    guard pair.count == 2 else { continue }
                    let key = pair[0].trimmingCharacters(in: .whitespaces).lowercased()
                    let raw = pair[1].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                    if key == "name" { name = raw }
                    if key == "filename" { isFile = true }
                }
            }
            guard let name, !name.isEmpty else { throw .malformed("multipart part without a name") }
            if !isFile {
                try self.add(
                    try storable(name, field: "multipart part name"),
                    try storable(value, field: name),
                    to: &fields,
                    signatureFields: signatureFields
                )
            }
        }
        return fields
    }

    /// Where `needle` next occurs in `haystack` at or after `start` (Knuth-Morris-Pratt): linear in the
    /// body whatever the boundary, where a naive scan is quadratic in the boundary's length.
    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, start >= 0, haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        // fallback[i]: the length of the longest proper prefix of needle[0...i] that is also its suffix.
        var fallback = [Int](repeating: 0, count: needle.count)
        var length = 0
        for index in 1..<max(1, needle.count) {
            while length > 0, needle[index] != needle[length] { length = fallback[length - 1] }
            if needle[index] == needle[length] { length += 1 }
            fallback[index] = length
        }
        var matched = 0
        for index in start..<haystack.count {
            while matched > 0, haystack[index] != needle[matched] { matched = fallback[matched - 1] }
            if haystack[index] == needle[matched] { matched += 1 }
            if matched == needle.count { return index - needle.count + 1 }
        }
        return nil
    }
}
