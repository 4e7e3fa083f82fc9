package import Foundation

/// How long a tenant's data is kept (docs/retention.md): contents redacted after `redactAfterDays`,
/// everything removed after `deleteAfterDays`; nil keeps it. The `…Before` times say how far the
/// sweep has got: nothing older than them is left unredacted, or left at all.
package struct TenantRetention: Sendable, Equatable {
    package var redactAfterDays: Int?
    package var deleteAfterDays: Int?
    package var redactedBefore: Date?
    package var deletedBefore: Date?

    package static let maxDays = 3650

    package init(redactAfterDays: Int? = nil, deleteAfterDays: Int? = nil, redactedBefore: Date? = nil, deletedBefore: Date? = nil) {
        self.redactAfterDays = redactAfterDays
        self.deleteAfterDays = deleteAfterDays
        self.redactedBefore = redactedBefore
        self.deletedBefore = deletedBefore
    }

    package enum Invalid: Error, Equatable {
        case outOfRange(field: String)
        /// Removal before redaction would leave nothing to redact: redact_after_days must not exceed it.
        case redactAfterDelete
    }

    /// A setting as the admin API receives it: whole days within 1…3650, redaction no later than removal.
    package static func validated(redactAfterDays: Int?, deleteAfterDays: Int?) throws(Invalid) -> (redact: Int?, delete: Int?) {
        for (field, value) in [("redact_after_days", redactAfterDays), ("delete_after_days", deleteAfterDays)] {
            if let value, !(1...maxDays).contains(value) { throw .outOfRange(field: field) }
        }
        if let redact = redactAfterDays, let delete = deleteAfterDays, redact > delete { throw .redactAfterDelete }
        return (redactAfterDays, deleteAfterDays)
    }

    /// The redaction and removal horizons at `now` (nil where the setting is off).
    package func horizons(at now: Date) -> (redact: Date?, delete: Date?) {
        func before(_ days: Int?) -> Date? { days.map { now.addingTimeInterval(-Double($0) * 86_400) } }
        return (before(self.redactAfterDays), before(self.deleteAfterDays))
    }
}

/// The sweep's reads and writes (PostgreSQL in production). Each call is one short transaction.
package protocol RetentionRepository: Sendable {
    func tenantsWithRetention() async throws -> [(tenantID: UUID, retention: TenantRetention)]
    /// Redacts at most `limit` messages and replies (and their copies in webhook events and raw
    /// payloads) created in `from ..< before`; returns how many rows changed.
    func redact(tenantID: UUID, from: Date?, before: Date, limit: Int) async throws -> Int
    /// Removes at most about `limit` rows of each kind older than `before`; returns how many went.
    func remove(tenantID: UUID, before: Date, limit: Int) async throws -> Int
    func recordProgress(tenantID: UUID, redactedBefore: Date?, deletedBefore: Date?) async throws
}
