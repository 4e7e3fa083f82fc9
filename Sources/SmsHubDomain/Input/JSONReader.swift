/// The one JSON reader for everything a caller sends: API bodies and provider callbacks.
///
/// Strict RFC 8259, plus what storage needs: a value PostgreSQL cannot store is refused here with
/// the member it came from, before the request joins a batch whose transaction it would fail.
/// - U+0000 (`\u0000`) in any string or key: PostgreSQL text and jsonb cannot hold it.
/// - An unpaired surrogate escape (`\ud800`): not a Unicode scalar, so no UTF-8 text holds it.
/// - Numbers of more than `maxNumberLength` characters or with an exponent beyond ±`maxExponent`:
///   jsonb keeps numbers as `numeric`, which overflows long before a body limit does.
/// - Nesting deeper than `maxDepth`: bounds the reader's recursion.
/// - A key repeated in one object: refused, or (for providers, which may resend a field) accepted
///   only when every copy has the same value.
public enum JSONReader {
    public enum Duplicates: Sendable {
        /// Any repeated key is refused (the tenant and admin API).
        case refuse
        /// A repeated key is accepted when its values are equal, keeping one (callbacks).
        case refuseDiffering
    }

    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// Where in the document, such as `custom.big` or `status.status_data.sms_ids[3]`; `body` for the whole.
        package var path: String
        package var reason: String
        /// The text is not JSON at all (malformed, truncated, not UTF-8), as opposed to JSON holding a
        /// value the hub refuses (a repeated key, NUL, an unstorable number).
        package var isSyntax: Bool
        public var description: String { "\(self.path) \(self.reason)" }

        /// Where and what, for a syntax error: `at status.to[2]: ',' or ']' expected`.
        package var syntaxDetail: String {
            let what = self.reason.hasPrefix("is not valid JSON: ") ? String(self.reason.dropFirst("is not valid JSON: ".count)) : self.reason
            return self.path == "body" ? what : "at \(self.path): \(what)"
        }

        package init(path: String, reason: String, isSyntax: Bool = false) {
            self.path = path
            self.reason = reason
            self.isSyntax = isSyntax
        }
    }

    package static let maxDepth = 32
    package static let maxNumberLength = 100
    package static let maxExponent = 1000

    public static func parse(_ bytes: [UInt8], duplicates: Duplicates) throws(Failure) -> JSONValue {
        try bytes.withUnsafeBufferPointer { (buffer) throws(Failure) -> JSONValue in
            var reader = Reader(bytes: buffer, duplicates: duplicates)
            reader.skipWhitespace()
            let value = try reader.value(depth: 0)
            reader.skipWhitespace()
            guard reader.index == buffer.count else { throw reader.fail("has text after the JSON value") }
            return value
        }
    }

    private enum PathStep {
        case key(String)
        case index(Int)
    }

    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        let duplicates: Duplicates
        var index = 0
        var path: [PathStep] = []

        init(bytes: UnsafeBufferPointer<UInt8>, duplicates: Duplicates) {
            self.bytes = bytes
            self.duplicates = duplicates
        }

        func fail(_ reason: String) -> Failure {
            var failure = self.refuse(reason)
            failure.isSyntax = true
            return failure
        }

        /// A well-formed value the hub does not take.
        func refuse(_ reason: String) -> Failure {
            var text = ""
            for step in self.path {
                switch step {
                case .key(let key):
                    if !text.isEmpty { text += "." }
                    // A key is named up to a length, so an error never carries a whole hostile key.
                    text += key.utf8.count <= 64 ? key : String(decoding: key.utf8.prefix(64), as: UTF8.self) + "…"
                case .index(let index): text += "[\(index)]"
                }
            }
            return Failure(path: text.isEmpty ? "body" : text, reason: reason)
        }

        mutating func skipWhitespace() {
            while self.index < self.bytes.count {
                switch self.bytes[self.index] {
                case 0x20, 0x09, 0x0A, 0x0D: self.index += 1
                default: return
                }
            }
        }

        mutating func value(depth: Int) throws(Failure) -> JSONValue {
            guard self.index < self.bytes.count else { throw self.fail("is truncated: a value is missing") }
            switch self.bytes[self.index] {
            case UInt8(ascii: "{"):
                guard depth < maxDepth else { throw self.refuse("is nested more than \(maxDepth) levels deep") }
                return try self.object(depth: depth + 1)
            case UInt8(ascii: "["):
                guard depth < maxDepth else { throw self.refuse("is nested more than \(maxDepth) levels deep") }
                return try self.array(depth: depth + 1)
            case UInt8(ascii: "\""):
                return .string(try self.string())
            case UInt8(ascii: "t"):
                try self.literal("true")
                return .bool(true)
            case UInt8(ascii: "f"):
                try self.literal("false")
                return .bool(false)
            case UInt8(ascii: "n"):
                try self.literal("null")
                return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return .number(try self.number())
            default:
                throw self.fail("is not valid JSON")
            }
        }

        mutating func literal(_ word: StaticString) throws(Failure) {
            let count = word.utf8CodeUnitCount
            guard self.bytes.count - self.index >= count else { throw self.fail("is not valid JSON") }
            let expected = UnsafeBufferPointer(start: word.utf8Start, count: count)
            for offset in 0..<count where self.bytes[self.index + offset] != expected[offset] {
                throw self.fail("is not valid JSON")
            }
            self.index += count
        }

        mutating func object(depth: Int) throws(Failure) -> JSONValue {
            self.index += 1  // {
            var members: [JSONMember] = []
            // Small objects look for a repeated key by scanning; large ones keep an index, so a body
            // of thousands of keys costs linear time, not quadratic.
            var positions: [String: Int]?
            self.skipWhitespace()
            if self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: "}") {
                self.index += 1
                return .object(members)
            }
            while true {
                guard self.index < self.bytes.count else { throw self.fail("is truncated: an object is not closed") }
                guard self.bytes[self.index] == UInt8(ascii: "\"") else { throw self.fail("is not valid JSON: an object key must be a string") }
                let key = try self.string()
                self.skipWhitespace()
                guard self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: ":") else {
                    throw self.fail(
                        self.index < self.bytes.count ? "is not valid JSON: ':' expected after a key" : "is truncated: an object is not closed"
                    )
                }
                self.index += 1
                self.skipWhitespace()
                self.path.append(.key(key))
                let value = try self.value(depth: depth)
                if members.count == 16, positions == nil {
                    positions = Dictionary(members.enumerated().map { ($1.key, $0) }, uniquingKeysWith: { first, _ in first })
                }
                let existing = positions.map { $0[key] } ?? members.firstIndex(where: { $0.key == key })
                if let existing {
                    switch self.duplicates {
                    case .refuse:
                        throw self.refuse("is given more than once")
                    case .refuseDiffering:
                        guard members[existing].value == value else { throw self.refuse("is given more than once with different values") }
                    }
                } else {
                    positions?[key] = members.count
                    members.append(JSONMember(key, value))
                }
                self.path.removeLast()
                self.skipWhitespace()
                guard self.index < self.bytes.count else { throw self.fail("is truncated: an object is not closed") }
                switch self.bytes[self.index] {
                case UInt8(ascii: ","):
                    self.index += 1
                    self.skipWhitespace()
                case UInt8(ascii: "}"):
                    self.index += 1
                    return .object(members)
                default:
                    throw self.fail("is not valid JSON: ',' or '}' expected")
                }
            }
        }

        mutating func array(depth: Int) throws(Failure) -> JSONValue {
            self.index += 1  // [
            var elements: [JSONValue] = []
            self.skipWhitespace()
            if self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: "]") {
                self.index += 1
                return .array(elements)
            }
            while true {
                self.path.append(.index(elements.count))
                elements.append(try self.value(depth: depth))
                self.path.removeLast()
                self.skipWhitespace()
                guard self.index < self.bytes.count else { throw self.fail("is truncated: an array is not closed") }
                switch self.bytes[self.index] {
                case UInt8(ascii: ","):
                    self.index += 1
                    self.skipWhitespace()
                case UInt8(ascii: "]"):
                    self.index += 1
                    return .array(elements)
                default:
                    throw self.fail("is not valid JSON: ',' or ']' expected")
                }
            }
        }

        /// A string from its opening quote. Runs without escapes are taken as they are (validated as UTF-8).
        mutating func string() throws(Failure) -> String {
            self.index += 1  // "
            let start = self.index
            while self.index < self.bytes.count {
                let byte = self.bytes[self.index]
                if byte == UInt8(ascii: "\"") {
                    let run = UnsafeBufferPointer(rebasing: self.bytes[start..<self.index])
                    self.index += 1
                    guard let text = String(validating: run, as: UTF8.self) else { throw self.fail("is not valid UTF-8") }
                    return text
                }
                if byte == UInt8(ascii: "\\") { break }
                guard byte >= 0x20 else {
                    throw byte == 0
                        ? self.refuse("contains U+0000 (NUL), which cannot be stored") : self.fail("contains an unescaped control character")
                }
                self.index += 1
            }
            var out = [UInt8](UnsafeBufferPointer(rebasing: self.bytes[start..<self.index]))
            while self.index < self.bytes.count {
                let byte = self.bytes[self.index]
                switch byte {
                case UInt8(ascii: "\""):
                    self.index += 1
                    guard let text = String(validating: out, as: UTF8.self) else { throw self.fail("is not valid UTF-8") }
                    return text
                case UInt8(ascii: "\\"):
                    try self.escape(into: &out)
                case 0..<0x20:
                    throw byte == 0
                        ? self.refuse("contains U+0000 (NUL), which cannot be stored") : self.fail("contains an unescaped control character")
                default:
                    out.append(byte)
                    self.index += 1
                }
            }
            throw self.fail("is truncated: a string is not closed")
        }

        mutating func escape(into out: inout [UInt8]) throws(Failure) {
            guard self.index + 1 < self.bytes.count else { throw self.fail("is truncated: a string is not closed") }
            let kind = self.bytes[self.index + 1]
            self.index += 2
            switch kind {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(kind)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try self.hex4()
                if (0xD800..<0xDC00).contains(scalar) {
                    guard self.index + 1 < self.bytes.count, self.bytes[self.index] == UInt8(ascii: "\\"),
                        self.bytes[self.index + 1] == UInt8(ascii: "u")
                    else {
                        throw self.refuse("contains an unpaired surrogate escape")
                    }
                    self.index += 2
                    let low = try self.hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw self.refuse("contains an unpaired surrogate escape") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00..<0xE000).contains(scalar) {
                    throw self.refuse("contains an unpaired surrogate escape")
                }
                guard scalar != 0 else { throw self.refuse("contains U+0000 (NUL), which cannot be stored") }
                guard let unicode = Unicode.Scalar(scalar) else { throw self.fail("contains an invalid escape") }
                out.append(contentsOf: UTF8.encode(unicode)!)
            default:
                throw self.fail("contains an invalid escape")
            }
        }

        mutating func hex4() throws(Failure) -> UInt32 {
            guard self.bytes.count - self.index >= 4 else { throw self.fail("is truncated: a string is not closed") }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = self.bytes[self.index]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw self.fail("contains an invalid \\u escape")
                }
                value = value << 4 | UInt32(digit)
                self.index += 1
            }
            return value
        }

        /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, within the length and exponent limits.
        mutating func number() throws(Failure) -> String {
            let start = self.index
            func digits(_ reader: inout Reader) -> Int {
                let first = reader.index
                while reader.index < reader.bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(reader.bytes[reader.index]) {
                    reader.index += 1
                }
                return reader.index - first
            }
            if self.bytes[self.index] == UInt8(ascii: "-") { self.index += 1 }
            let integerStart = self.index
            let integerDigits = digits(&self)
            guard integerDigits > 0 else { throw self.fail("is not valid JSON: a number has no digits") }
            guard integerDigits == 1 || self.bytes[integerStart] != UInt8(ascii: "0") else {
                throw self.fail("is not valid JSON: a number has a leading zero")
            }
            if self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: ".") {
                self.index += 1
                guard digits(&self) > 0 else { throw self.fail("is not valid JSON: a number has no digits after its point") }
            }
            if self.index < self.bytes.count, self.bytes[self.index] | 0x20 == UInt8(ascii: "e") {
                self.index += 1
                if self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: "+") || self.bytes[self.index] == UInt8(ascii: "-") {
                    self.index += 1
                }
                let exponentStart = self.index
                let exponentDigits = digits(&self)
                guard exponentDigits > 0 else { throw self.fail("is not valid JSON: a number has no digits in its exponent") }
                var exponent = 0
                for byte in self.bytes[exponentStart..<self.index] where exponent <= maxExponent {
                    exponent = exponent * 10 + Int(byte - UInt8(ascii: "0"))
                }
                guard exponent <= maxExponent else { throw self.refuse("is a number with an exponent beyond ±\(maxExponent)") }
            }
            guard self.index - start <= maxNumberLength else { throw self.refuse("is a number longer than \(maxNumberLength) characters") }
            return String(decoding: UnsafeBufferPointer(rebasing: self.bytes[start..<self.index]), as: UTF8.self)
        }
    }
}
