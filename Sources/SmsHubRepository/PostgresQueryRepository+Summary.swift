package import Foundation
import Postgres
package import SmsHubDomain

extension PostgresQueryRepository {
    package func dailySummary(tenantID: UUID, request: DailySummaryRequest) async throws -> DailySummary {
        do {
            return try await self.database.withTenant(tenantID) { session in
                // The range's bounds are worked out first and passed to the summary as values. Written
                // as expressions over the zone (a STABLE conversion), the planner could not estimate the
                // range, and at 21 M recipients it chose a sequential scan of all of them: 2 s, past the
                // statement deadline. A prepared statement also gets a generic plan, made without any
                // values, after five runs; the summary is planned for its own values every time.
                // Read with them: how far retention had removed data, and whether
                // the range is whole quarter hours, which the kept counts (migration 0021) can answer.
                let bounds = try await session.query(
                    """
                    SELECT b.start, b.finish, (b.start AT TIME ZONE 'UTC')::date::text AS first_utc_day,
                           (b.finish AT TIME ZONE 'UTC')::date::text AS last_utc_day,
                           (SELECT deleted_before FROM tenants WHERE id = \(tenantID)) AS deleted_before,
                           outcome_bucket(b.start) = b.start AND outcome_bucket(b.finish) = b.finish AS aligned
                    FROM (SELECT (\(request.firstDay.description)::date::timestamp AT TIME ZONE \(request.timeZone)) AS start,
                                 ((\(request.lastDay.description)::date + 1)::timestamp AT TIME ZONE \(request.timeZone)) AS finish) b
                    """
                )
                guard let range = bounds.first else { return DailySummary(rows: [], dataRemovedBefore: nil) }
                let removedBefore: Date? = try range.decode("deleted_before")
                let start: Date = try range.decode("start")
                let finish: Date = try range.decode("finish")
                let firstUTCDay: String = try range.decode("first_utc_day")
                let lastUTCDay: String = try range.decode("last_utc_day")
                let aligned: Bool = try range.decode("aligned")
                try await session.query("SET LOCAL plan_cache_mode = force_custom_plan")
                let rows =
                    aligned
                    ? try await Self.countedSummary(session, tenantID: tenantID, request: request, start: start, finish: finish)
                    : try await Self.scannedSummary(
                        session,
                        tenantID: tenantID,
                        request: request,
                        range: (start, finish),
                        utcDays: (firstUTCDay, lastUTCDay)
                    )
                return DailySummary(rows: rows, dataRemovedBefore: removedBefore)
            }
        } catch let error as PGError where error.sqlState == SQLState.invalidParameterValue {
            throw InvalidTimeZone(name: request.timeZone)
        }
    }

    /// The range from the kept counts and the changes not yet folded into them, in one snapshot: a
    /// read of a few hundred rows per account and week, whatever the number of recipients.
    static func countedSummary(
        _ session: PGSession,
        tenantID: UUID,
        request: DailySummaryRequest,
        start: Date,
        finish: Date
    ) async throws -> [DailySummaryRow] {
        var conditions: [PGQuery] = ["tenant_id = \(tenantID)", "bucket >= \(start)", "bucket < \(finish)"]
        if let account = request.providerAccountID { conditions.append("provider_account_id = \(account)") }
        let filter = Keyset.whereClause(conditions)
        return try await session.query(
            """
            SELECT to_char((c.bucket AT TIME ZONE \(request.timeZone))::date, 'YYYY-MM-DD') AS day,
                   c.provider_account_id, a.provider,
                   sum(c.delivered + c.failed + c.pending)::bigint AS sent, sum(c.delivered)::bigint AS delivered,
                   sum(c.failed)::bigint AS failed, sum(c.pending)::bigint AS pending
            FROM (SELECT tenant_id, bucket, provider_account_id, delivered, failed, pending
                  FROM recipient_outcome_counts WHERE \(fragment: filter)
                  UNION ALL
                  SELECT tenant_id, bucket, provider_account_id, delivered, failed, pending
                  FROM recipient_outcome_changes WHERE \(fragment: filter)) c
            JOIN provider_accounts a ON a.tenant_id = c.tenant_id AND a.id = c.provider_account_id
            GROUP BY 1, 2, 3, a.created_at
            HAVING sum(c.delivered + c.failed + c.pending) > 0
            ORDER BY 1 DESC, a.created_at, 2
            """
        ).rows.map(Self.summaryRow)
    }

    /// A range whose ends are not whole quarter hours (a zone's offset in a past century), counted
    /// from the recipients themselves.
    static func scannedSummary(
        _ session: PGSession,
        tenantID: UUID,
        request: DailySummaryRequest,
        range: (start: Date, finish: Date),
        utcDays: (first: String, last: String)
    ) async throws -> [DailySummaryRow] {
        var conditions: [PGQuery] = [
            "r.tenant_id = \(tenantID)",
            // The UTC days the range touches bound the scan of the (tenant_id, UTC day) index, the
            // only one on recipients by time; the instants then cut it to the asked zone's days.
            "(r.created_at AT TIME ZONE 'UTC')::date BETWEEN \(utcDays.first)::date AND \(utcDays.last)::date",
            "r.created_at >= \(range.start)",
            "r.created_at < \(range.finish)",
        ]
        if let account = request.providerAccountID { conditions.append("r.provider_account_id = \(account)") }
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
        ).rows.map(Self.summaryRow)
    }

    static func summaryRow(_ row: PGRow) throws -> DailySummaryRow {
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

    static func day(_ text: String) throws -> CalendarDay {
        guard let day = CalendarDay(text) else { throw PGError(kind: .decoding, message: "not a day: \(text)") }
        return day
    }
}
