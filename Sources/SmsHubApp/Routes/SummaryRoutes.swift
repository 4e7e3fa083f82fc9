import Foundation
import Hummingbird
import SmsHubDomain

/// `GET /v1/summary/daily`: recipients per day and provider account, by outcome.
struct SummaryRoutes {
    let queries: any QueryRepository

    func register(on group: RouterGroup<TenantRequestContext>) {
        group.get("summary/daily", use: self.daily)
    }

    static let parameters: Set<String> = ["from", "to", "time_zone", "provider_account_id"]
    static let defaultDays = 7

    struct DailySummaryList: ResponseEncodable {
        var from: String
        var to: String
        var timeZone: String
        var items: [DailySummaryRepresentation]
    }

    @Sendable func daily(request: Request, context: TenantRequestContext) async throws -> DailySummaryList {
        let query = try QueryParameters(request, allowed: Self.parameters)
        let zoneName = try query.text("time_zone", maxLength: 64) ?? "UTC"
        guard let zone = TimeZone(identifier: zoneName) else {
            throw Problem.invalidParameter("time_zone", "time_zone must be an IANA time zone name, such as Asia/Shanghai or UTC.")
        }
        let to = try query.day("to") ?? CalendarDay(Date(), in: zone)
        let from = try query.day("from") ?? to.adding(days: -(Self.defaultDays - 1))
        guard from <= to else {
            throw Problem.invalidParameter("to", "to must be the same day as from or later.")
        }
        guard to.daysSinceEpoch - from.daysSinceEpoch < DailySummaryRequest.maximumDays else {
            throw Problem.invalidParameter("from", "The range may span at most \(DailySummaryRequest.maximumDays) days.")
        }
        let summary = DailySummaryRequest(firstDay: from, lastDay: to, timeZone: zoneName, providerAccountID: try query.uuid("provider_account_id"))
        do {
            let rows = try await self.queries.dailySummary(tenantID: context.tenant.tenantID, request: summary)
            return DailySummaryList(from: from.description, to: to.description, timeZone: zoneName, items: rows.map(DailySummaryRepresentation.init))
        } catch is InvalidTimeZone {
            throw Problem.invalidParameter("time_zone", "time_zone is not a time zone the database knows.")
        }
    }
}
