package import Foundation

/// Ends the validity windows that have passed: every recipient of such a task without a final
/// report becomes `expired`, as the hub's inference (docs/providers.md §8, validity windows).
package protocol ExpiryRepository: Sendable {
    /// Tenants with a task whose window has ended.
    func tenantsWithWork() async throws -> [UUID]
    /// Closes up to `limit` of the tenant's ended tasks; returns how many recipients expired.
    func expireDue(tenantID: UUID, limit: Int) async throws -> ExpiryPass
}

package struct ExpiryPass: Sendable, Equatable {
    /// Tasks whose window was closed.
    package var tasks: Int
    /// Recipients that became `expired`.
    package var expired: Int

    package init(tasks: Int = 0, expired: Int = 0) {
        self.tasks = tasks
        self.expired = expired
    }
}

/// The hub's own codes for an inferred expiry (`status_code`, beside the providers' codes).
package enum InferredExpiry {
    /// No final report came within the window.
    package static let windowCode = "window_expired"
    package static let windowDescription = "no final report within the account's validity window (inferred by smshub)"
    /// A final report may have come, but only as a masked copy that fits this number and another
    /// equally well, with a different outcome.
    package static let ambiguousCode = "ambiguous_report"
    package static let ambiguousDescription =
        "no report could be attributed to this number within the validity window: a report for a number masked alike came without its full number (inferred by smshub)"
    /// A task still waiting to be accepted by the gateway when its window ended.
    package static let unsentNote = "the validity window ended before the gateway accepted the task"
}
