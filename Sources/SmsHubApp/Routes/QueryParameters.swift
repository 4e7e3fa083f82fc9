import Foundation
import Hummingbird
import SmsHubDomain

/// A list endpoint's query string, read strictly: a parameter the endpoint does not know, a repeated
/// one, or a value it cannot use is a 400 naming the parameter, never silently ignored.
struct QueryParameters {
    private let values: [String: String]

    static let pagination: Set<String> = ["limit", "cursor"]

    init(_ request: Request, allowed: Set<String>) throws {
        var values: [String: String] = [:]
        for pair in (request.uri.query ?? "").split(separator: "&", omittingEmptySubsequences: true) {
            // Form encoding, as browsers and HTTP libraries write queries: `+` is a space, `%2B` a plus.
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let rawName = String(parts[0]).replacingOccurrences(of: "+", with: " ")
            let rawValue = parts.count > 1 ? String(parts[1]).replacingOccurrences(of: "+", with: " ") : ""
            guard let name = rawName.removingPercentEncoding else {
                throw Problem.invalidParameter(rawName, "The query string is not valid percent-encoded UTF-8.")
            }
            guard let value = rawValue.removingPercentEncoding else {
                throw Problem.invalidParameter(name, "\(name) is not valid percent-encoded UTF-8.")
            }
            guard allowed.contains(name) else {
                let known = allowed.sorted().joined(separator: ", ")
                throw Problem.invalidParameter(name, "\(name) is not a parameter of this endpoint (known: \(known)).")
            }
            guard values[name] == nil else {
                throw Problem.invalidParameter(name, "\(name) may be given once.")
            }
            values[name] = value
        }
        self.values = values
    }

    func text(_ name: String, maxLength: Int = 256) throws -> String? {
        guard let value = self.values[name] else { return nil }
        // Counted in code points, as the spec's maxLength is.
        guard !value.isEmpty, value.unicodeScalars.count <= maxLength,
            !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            throw Problem.invalidParameter(name, "\(name) must be 1 to \(maxLength) characters with no control characters.")
        }
        return value
    }

    func uuid(_ name: String) throws -> UUID? {
        guard let value = self.values[name] else { return nil }
        guard let id = UUID(uuidString: value) else {
            throw Problem.invalidParameter(name, "\(name) must be a UUID.")
        }
        return id
    }

    func oneOf<Value: RawRepresentable & CaseIterable>(_ name: String, _ type: Value.Type) throws -> Value? where Value.RawValue == String {
        guard let value = self.values[name] else { return nil }
        guard let parsed = Value(rawValue: value) else {
            let allowed = Value.allCases.map(\.rawValue).joined(separator: ", ")
            throw Problem.invalidParameter(name, "\(name) must be one of: \(allowed).")
        }
        return parsed
    }

    /// A phone number as the send API takes it, as E.164.
    func number(_ name: String) throws -> String? {
        guard let value = self.values[name] else { return nil }
        guard let e164 = PhoneNumber.written(value)?.e164 else {
            throw Problem.invalidParameter(name, "\(name) must be a phone number, such as 13812345678, +8613812345678 or +86 138 1234 5678.")
        }
        return e164
    }

    /// An RFC 3339 time with its offset, such as `2026-11-23T08:00:00Z` or `2026-11-23T16:00:00.5+08:00`.
    func time(_ name: String) throws -> Date? {
        guard let value = self.values[name] else { return nil }
        guard let date = RFC3339.parse(value) else {
            throw Problem.invalidParameter(name, "\(name) must be an RFC 3339 time with an offset, such as 2026-11-23T08:00:00Z.")
        }
        return date
    }

    /// `from` (inclusive) and `to` (exclusive). A `to` not later than `from` is an empty range.
    func timeRange() throws -> TimeRange {
        TimeRange(from: try self.time("from"), to: try self.time("to"))
    }

    func integer(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let raw = self.values[name] else { return nil }
        guard let value = Int(raw), range.contains(value) else {
            throw Problem.invalidParameter(name, "\(name) must be an integer from \(range.lowerBound) to \(range.upperBound).")
        }
        return value
    }

    /// A calendar day, `YYYY-MM-DD`.
    func day(_ name: String) throws -> CalendarDay? {
        guard let value = self.values[name] else { return nil }
        guard let day = CalendarDay(value) else {
            throw Problem.invalidParameter(name, "\(name) must be a date, YYYY-MM-DD.")
        }
        return day
    }

    /// `limit` and `cursor`. A cursor is valid only in the scope (tenant and list) that issued it.
    func pagination(_ cursors: PageCursorCodec, scope: String) throws -> Pagination {
        var limit = PageSize.default
        if let raw = self.values["limit"] {
            guard let value = Int(raw), (1...PageSize.maximum).contains(value) else {
                throw Problem.invalidParameter("limit", "limit must be an integer from 1 to \(PageSize.maximum).")
            }
            limit = value
        }
        var cursor: PageCursor?
        if let raw = self.values["cursor"] {
            guard let value = cursors.cursor(raw, scope: scope) else {
                throw Problem.invalidParameter("cursor", "cursor is not one this service issued for this list.")
            }
            cursor = value
        }
        return Pagination(limit: limit, cursor: cursor, codec: cursors, scope: scope)
    }
}

/// Where a list request starts, and how the next page's cursor is written for the same scope.
struct Pagination {
    let limit: Int
    let cursor: PageCursor?
    let codec: PageCursorCodec
    let scope: String

    func nextToken<Item>(_ page: Page<Item>) -> String? {
        page.next.flatMap { self.codec.token($0, scope: self.scope) }
    }
}
