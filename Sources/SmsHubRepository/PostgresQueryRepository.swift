import Foundation
import Postgres
import SmsHubDomain

/// The tenant query API's reads. Each list walks one index newest first and stops after a page:
/// the conditions below are written so that the (tenant_id, …, time, id) indexes of migration 0006
/// serve both the filter and the order.
package struct PostgresQueryRepository: QueryRepository {
    let routing: ReadRouting

    /// Reads where `routing` sends them, each query deciding anew (a replica while it is fresh).
    package init(reads routing: ReadRouting) {
        self.routing = routing
    }

    /// Reads on `database` only.
    package init(database: Database) {
        self.routing = ReadRouting(primary: database)
    }

    var database: Database { self.routing.reads }
}

/// Conditions shared by every keyset list over a (time, id) order, newest first.
enum Keyset {
    static func conditions(time: String, id: String, range: TimeRange, cursor: PageCursor?) -> [PGQuery] {
        var conditions: [PGQuery] = []
        if let from = range.from { conditions.append("\(unescaped: time) >= \(from)") }
        if let to = range.to { conditions.append("\(unescaped: time) < \(to)") }
        if let cursor { conditions.append("(\(unescaped: time), \(unescaped: id)) < (\(cursor.time), \(cursor.id))") }
        return conditions
    }

    static func whereClause(_ conditions: [PGQuery]) -> PGQuery {
        PGQuery.joined(conditions, separator: " AND ")
    }
}

extension PGRow {
    /// A number stored as written plus its E.164 form, when the row has one.
    func phoneNumber(raw: String, e164: String) throws -> PhoneNumber? {
        guard let written: String = try self.decode(raw) else { return nil }
        return PhoneNumber(raw: written, e164: try self.decode(e164))
    }
}
