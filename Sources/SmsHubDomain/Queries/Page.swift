public import Foundation

/// One page of a keyset-paginated list, and where the next page starts.
package struct Page<Item: Sendable>: Sendable {
    package var items: [Item]
    package var next: PageCursor?

    package init(items: [Item], next: PageCursor?) {
        self.items = items
        self.next = next
    }

    /// A page from a query that asked for `limit + 1` rows: the extra row only says a next page exists.
    package init(overfetched rows: [Item], limit: Int, cursor: (Item) -> PageCursor) {
        self.items = Array(rows.prefix(limit))
        self.next = rows.count > limit ? self.items.last.map(cursor) : nil
    }
}

/// A position in a list ordered by (time, id). Clients see it only as a token sealed by
/// `PageCursorCodec`, which they pass back.
public struct PageCursor: Sendable, Equatable {
    public var time: Date
    package var id: UUID

    public init(time: Date, id: UUID) {
        self.time = time
        self.id = id
    }
}

package enum PageSize {
    package static let `default` = 50
    package static let maximum = 200
}
