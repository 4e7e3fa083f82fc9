public import Foundation

/// A provider callback as the HTTP layer hands it to a parser: just bytes and strings, so parsers stay
/// pure functions that tests and fuzzers call without a server.
public struct CallbackRequest: Sendable {
    public enum Method: Sendable { case get, post }
    package var method: Method
    /// Header names lowercased.
    package var headers: [String: String]
    package var query: String
    package var body: [UInt8]
    /// When the hub received it, for signatures that cover a time (EngageLab). Nil only where a
    /// parser is called outside the service (fuzzers, parser tests): the window is then not checked.
    package var receivedAt: Date?

    /// Headers a parser reads, which must come once: which copy a provider meant cannot be told, and a
    /// repeated signature header is never one the provider wrote.
    package static let singleHeaders: Set<String> = ["content-type", "x-smshook-signature", "x-smshook-timestamp", "x-smshook-appkey"]

    /// Header fields as received (any case, in order) into the lowercased map parsers read. Other
    /// repeated headers keep their first value.
    package static func headers(_ fields: some Sequence<(name: String, value: String)>) throws(CallbackError) -> [String: String] {
        var headers: [String: String] = [:]
        for field in fields {
            let name = field.name.lowercased()
            if headers[name] != nil {
                if Self.singleHeaders.contains(name) { throw .invalidField(name, "header is given more than once") }
                continue
            }
            guard !field.value.utf8.contains(0) else { throw .invalidField(name, "header contains U+0000 (NUL)") }
            headers[name] = field.value
        }
        return headers
    }

    public init(method: Method = .post, headers: [String: String] = [:], query: String = "", body: [UInt8], receivedAt: Date? = nil) {
        self.method = method
        self.receivedAt = receivedAt
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        self.query = query
        self.body = body
    }

    /// The media type without parameters, lowercased (`application/json`). Read as bytes: every
    /// callback asks (decision 0018).
    package var mediaType: String? {
        guard let value = self.headers["content-type"] else { return nil }
        var bytes = value.utf8[...]
        if let semicolon = bytes.firstIndex(of: UInt8(ascii: ";")) { bytes = bytes[..<semicolon] }
        let blank: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        while let first = bytes.first, blank(first) { bytes = bytes.dropFirst() }
        while let last = bytes.last, blank(last) { bytes = bytes.dropLast() }
        return String(decoding: bytes.map { $0 >= 65 && $0 <= 90 ? $0 | 0x20 : $0 }, as: UTF8.self)
    }

    package func headerParameter(_ name: String) -> String? {
        guard let value = self.headers["content-type"] else { return nil }
        for part in value.split(separator: ";").dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0].trimmingBlanks().lowercased() == name {
                return String(pair[1].trimmingBlanks(also: "\""))
            }
        }
        return nil
    }
}

/// Why a callback was refused. Each case maps to one HTTP status and problem code; messages name
/// fields and limits, never a secret or the submitted value.
public enum CallbackError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The body is not well-formed for its media type (400).
    case malformed(String)
    /// A required field is missing or empty (400).
    case missingField(String)
    /// A field is present but its value is impossible (400).
    case invalidField(String, String)
    /// A media type this endpoint does not take (415).
    case unsupportedMediaType(String)
    /// The provider's signature is missing or wrong, or names another account (401).
    case signature(String)

    public var description: String {
        switch self {
        case .malformed(let why): "malformed body: \(why)"
        case .missingField(let field): "\(field) is required"
        case .invalidField(let field, let why): "\(field) \(why)"
        case .unsupportedMediaType(let expected): "send the body as \(expected)"
        case .signature(let why): why
        }
    }
}
