import Foundation
import Hummingbird
import SmsHubDomain

/// `GET /v1/summary/daily`: recipients per day and provider account, by outcome.
struct SummaryRoutes {
    let queries: any QueryRepository

    func register(on group: RouterGroup<TenantRequestContext>) {
        group.get("summary/daily", use: self.daily)
    }

    static let parameters: Set<String> = ["to", "days", "time_zone", "provider_account_id"]
    static let defaultDays = 7

    struct DailySummaryList: ResponseEncodable {
        var from: String
        var to: String
        var timeZone: String
        /// Set when retention has removed data: days before this time are counted only in part.
        var dataRemovedBefore: Date?
        var items: [DailySummaryRepresentation]
    }

    @Sendable func daily(request: Request, context: TenantRequestContext) async throws -> DailySummaryList {
        let query = try QueryParameters(request, allowed: Self.parameters)
        let zoneName = try query.text("time_zone", maxLength: 64) ?? "UTC"
        guard let zone = TimeZone(identifier: zoneName) else {
            throw Problem.invalidParameter("time_zone", "time_zone must be an IANA time zone name, such as Asia/Shanghai or UTC.")
        }
        let to = try query.day("to") ?? CalendarDay(Date(), in: zone)
        let days = try query.integer("days", in: 1...DailySummaryRequest.maximumDays) ?? Self.defaultDays
        // The calendar starts at 0001-01-01.
        let from = max(to.adding(days: -(days - 1)), CalendarDay(year: 1, month: 1, day: 1)!)
        let summary = DailySummaryRequest(firstDay: from, lastDay: to, timeZone: zoneName, providerAccountID: try query.uuid("provider_account_id"))
        do {
            let counted = try await self.queries.dailySummary(tenantID: context.tenant.tenantID, request: summary)
            return DailySummaryList(
                from: from.description,
                to: to.description,
                timeZone: zoneName,
                dataRemovedBefore: counted.dataRemovedBefore,
                items: counted.rows.map(DailySummaryRepresentation.init)
            )
        } catch is InvalidTimeZone {
            throw Problem.invalidParameter("time_zone", "time_zone is not a time zone the database knows.")
        }
    }
}
