import Foundation
import Hummingbird
import NIOCore
import SmsHubDomain

/// Reads JSON request bodies with the checks every JSON endpoint shares: media type, size, syntax,
/// and shape, each failing with its own problem response.
enum JSONBody {
    /// Limit on management API bodies (64 KiB): far above any real request, far below a memory risk.
    static let maxSize = 64 * 1024

    static func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext, limit: Int = maxSize) async throws -> T {
        try self.decode(T.self, from: try await self.read(request, limit: limit))
    }

    /// The body of a JSON request, after the media type and size checks.
    static func read(_ request: Request, limit: Int = maxSize) async throws -> Data {
        guard let contentType = request.headers[.contentType], isJSON(contentType) else {
            throw Problem.unsupportedMediaType(expected: "application/json")
        }
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw Problem.payloadTooLarge(limit: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw Problem.payloadTooLarge(limit: limit)
        }
        return Data(buffer.readableBytesView)
    }

    /// The body as JSON, read strictly: a key given twice, U+0000, an unpaired surrogate or a number
    /// PostgreSQL cannot store is a 400 naming the member (the shared rules of `JSONReader`).
    static func value(_ data: Data) throws -> JSONValue {
        do {
            return try JSONReader.parse(Array(data), duplicates: .refuse)
        } catch {
            if error.isSyntax { throw Problem.invalidBody("The body is not valid JSON (\(error.syntaxDetail)).") }
            if error.path == "body" { throw Problem.invalidBody("The body \(error.reason).") }
            throw Problem.invalidBody(field: error.path, error.reason)
        }
    }

    /// The body parsed once, strictly, then typed from that parse.
    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        let value = try self.value(data)
        do {
            return try JSONValueDecoder().decode(T.self, from: value)
        } catch let error as DecodingError {
            throw Problem.invalidBody(describe(error))
        }
    }

    static func isJSON(_ contentType: String) -> Bool {
        let mediaType = contentType.split(separator: ";", maxSplits: 1)[0].trimmingCharacters(in: .whitespaces).lowercased()
        return mediaType == "application/json"
    }

    /// Names the offending field and what was wrong, never echoing the submitted value.
    static func describe(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            let keys = codingPath.map { key in key.intValue.map { "[\($0)]" } ?? snakeCase(key.stringValue) }
            return keys.isEmpty ? "body" : keys.joined(separator: ".")
        }
        switch error {
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "The body is not valid JSON." : "\(path(context.codingPath)) is invalid."
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])) is required."
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            return "\(path(context.codingPath)) must be \(describe(type))."
        @unknown default:
            return "The body could not be decoded."
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type, is Int32.Type: "an integer"
        case is Bool.Type: "a boolean"
        case is Double.Type: "a number"
        default: "of type \(type)"
        }
    }
}
