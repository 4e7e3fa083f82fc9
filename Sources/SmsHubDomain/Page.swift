import Foundation

/// One page of a keyset-paginated list, and where the next page starts.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var next: PageCursor?

    public init(items: [Item], next: PageCursor?) {
        self.items = items
        self.next = next
    }

    /// A page from a query that asked for `limit + 1` rows: the extra row only says a next page exists.
    public init(overfetched rows: [Item], limit: Int, cursor: (Item) -> PageCursor) {
        self.items = Array(rows.prefix(limit))
        self.next = rows.count > limit ? self.items.last.map(cursor) : nil
    }
}

/// A position in a list ordered by (time, id): opaque to clients, who only pass it back.
public struct PageCursor: Sendable, Equatable {
    public var time: Date
    public var id: UUID

    public init(time: Date, id: UUID) {
        self.time = time
        self.id = id
    }

    /// `<microseconds since epoch>.<uuid>` in unpadded base64url.
    public var token: String {
        let micros = Int64((self.time.timeIntervalSince1970 * 1_000_000).rounded())
        let raw = "\(micros).\(self.id.uuidString.lowercased())"
        return Data(raw.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// nil for anything this service did not issue.
    public init?(token: String) {
        guard token.utf8.count <= 128 else { return nil }
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.utf8.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let raw = String(data: data, encoding: .utf8) else { return nil }
        let parts = raw.split(separator: ".", maxSplits: 1)
        guard parts.count == 2, let micros = Int64(parts[0]), let id = UUID(uuidString: String(parts[1])) else { return nil }
        self.init(time: Date(timeIntervalSince1970: Double(micros) / 1_000_000), id: id)
    }
}

public enum PageSize {
    public static let `default` = 50
    public static let maximum = 200
}
