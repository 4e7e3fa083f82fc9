package import Foundation

/// Reads over everything stored for a tenant, newest first, one keyset page at a time.
/// Each method sees only `tenantID`'s rows; an id of another tenant is reported as missing.
package protocol QueryRepository: Sendable {
    func messages(tenantID: UUID, filter: MessageFilter, limit: Int, cursor: PageCursor?) async throws -> Page<MessageSummary>
    func recipient(tenantID: UUID, id: UUID) async throws -> RecipientHistory?
    func statusEvents(tenantID: UUID, filter: StatusEventFilter, limit: Int, cursor: PageCursor?) async throws -> Page<StatusEventRecord>
    func replies(tenantID: UUID, filter: ReplyFilter, limit: Int, cursor: PageCursor?) async throws -> Page<ReplyRecord>
    func reply(tenantID: UUID, id: UUID) async throws -> ReplyRecord?
    /// The newest reading of every account that has one.
    func latestBalances(tenantID: UUID) async throws -> [BalanceRecord]
    /// nil when the tenant has no such account.
    func balances(tenantID: UUID, accountID: UUID, observed: TimeRange, limit: Int, cursor: PageCursor?) async throws -> Page<BalanceRecord>?
    func reviewEvents(tenantID: UUID, filter: ReviewEventFilter, limit: Int, cursor: PageCursor?) async throws -> Page<ReviewEventRecord>
    /// Rows for days with recipients, newest day first. Throws `InvalidTimeZone` for a zone the database does not know.
    func dailySummary(tenantID: UUID, request: DailySummaryRequest) async throws -> DailySummary
}

package struct InvalidTimeZone: Error, Sendable {
    package var name: String

    package init(name: String) {
        self.name = name
    }
}
