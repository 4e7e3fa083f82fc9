import Foundation
import Postgres
import SmsHubDomain

extension PostgresQueryRepository {
    public func dailySummary(tenantID: UUID, request: DailySummaryRequest) async throws -> [DailySummaryRow] {
        // Midnight in the asked zone, as instants.
        let start: PGQuery = "(\(request.firstDay.description)::date::timestamp AT TIME ZONE \(request.timeZone))"
        let end: PGQuery = "((\(request.lastDay.description)::date + 1)::timestamp AT TIME ZONE \(request.timeZone))"
        var conditions: [PGQuery] = [
            "r.tenant_id = \(tenantID)",
            // The UTC days the range touches bound the scan of the (tenant_id, UTC day) index, the only
            // one on recipients by time; the instants then cut it to the asked zone's days.
            "(r.created_at AT TIME ZONE 'UTC')::date BETWEEN (\(fragment: start) AT TIME ZONE 'UTC')::date AND (\(fragment: end) AT TIME ZONE 'UTC')::date",
            "r.created_at >= \(fragment: start)",
            "r.created_at < \(fragment: end)",
        ]
        if let account = request.providerAccountID { conditions.append("r.provider_account_id = \(account)") }
        do {
            return try await self.database.withTenant(tenantID) { session in
                // A prepared statement gets a generic plan after five runs. Without the day range's
                // values that plan is a sequential scan of every recipient: 1-2 s at 20 M rows, past
                // the statement deadline. Planned for its values, it reads the range through the
                // UTC-day index.
                try await session.query("SET LOCAL plan_cache_mode = force_custom_plan")
                return try await session.query(
                    """
                    SELECT to_char((r.created_at AT TIME ZONE \(request.timeZone))::date, 'YYYY-MM-DD') AS day,
                           r.provider_account_id, a.provider,
                           count(*) AS sent,
                           count(*) FILTER (WHERE r.status = 'delivered') AS delivered,
                           count(*) FILTER (WHERE r.status IN ('failed', 'undelivered', 'expired')) AS failed,
                           count(*) FILTER (WHERE r.status IN ('queued', 'submitted', 'sent', 'unknown')) AS pending
                    FROM message_recipients r
                    JOIN provider_accounts a ON a.tenant_id = r.tenant_id AND a.id = r.provider_account_id
                    WHERE \(fragment: Keyset.whereClause(conditions))
                    GROUP BY 1, 2, 3, a.created_at
                    ORDER BY 1 DESC, a.created_at, 2
                    """
                ).rows.map { row in
                    DailySummaryRow(
                        day: try Self.day(row.decode("day")),
                        providerAccountID: try row.decode("provider_account_id"),
                        provider: try row.decode("provider"),
                        sent: try row.decode("sent"),
                        delivered: try row.decode("delivered"),
                        failed: try row.decode("failed"),
                        pending: try row.decode("pending")
                    )
                }
            }
        } catch let error as PGError where error.sqlState == SQLState.invalidParameterValue {
            throw InvalidTimeZone(name: request.timeZone)
        }
    }

    static func day(_ text: String) throws -> CalendarDay {
        guard let day = CalendarDay(text) else { throw PGError(kind: .decoding, message: "not a day: \(text)") }
        return day
    }

    public func dataRemovedBefore(tenantID: UUID) async throws -> Date? {
        try await self.database.withTenant(tenantID) { session in
            try await session.query("SELECT deleted_before FROM tenants WHERE id = \(tenantID)").first?.decode("deleted_before", as: Date?.self)
        } ?? nil
    }
}
