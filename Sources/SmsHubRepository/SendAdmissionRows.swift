import Foundation
import Postgres
import SmsHubDomain

/// The rows a message's acceptance decides against (migration 0033), each locked by the accepting
/// transaction in one order: cap rows by number, then the day's quota row, then the month's. Every
/// concurrent acceptance of the tenant, on any instance, waits for the rows it shares with another
/// and then sees what that one admitted; none holds one row while waiting for a row earlier in the order.
/// Caps are decided in the statement that locks them (`cap_admit`), with the statement's one time.
enum SendAdmissionRows {
    /// Locks the cap rows of `numbers` for `category` (creating those that are new) and, in the same
    /// statement, stamps each number its windows admit (`cap_admit`). Returns the numbers refused with
    /// how long each must wait, and the statement's time, which is every stamp it wrote.
    static func admitCaps(
        _ numbers: [String],
        category: TemplateCategory,
        windows: [CapWindow],
        tenantID: UUID,
        session: PGSession
    ) async throws -> (refused: [String: CapCheck], stampedAt: Date?) {
        guard !numbers.isEmpty, !windows.isEmpty else { return ([:], nil) }
        // The ORDER BY makes every transaction lock new and existing rows alike in number order; a
        // conflicting row is locked by its (possibly unchanged) update. One time for the statement, so
        // its two uses of `cap_admit` agree.
        let counts = windows.map(\.count)
        let seconds = windows.map(\.seconds)
        let rows = try await session.query(
            """
            WITH decided AS (
                INSERT INTO number_caps AS c (tenant_id, category, number_e164, stamps, admitted_by)
                SELECT \(tenantID), \(category.rawValue), n, ARRAY[statement_timestamp()], pg_current_xact_id()
                FROM unnest(\(numbers)::text[]) AS n ORDER BY n
                ON CONFLICT (tenant_id, category, number_e164) DO UPDATE
                SET stamps = coalesce(cap_admit(c.stamps, statement_timestamp(), \(counts)::int[], \(seconds)::int[]), c.stamps),
                    admitted_by = CASE WHEN cap_admit(c.stamps, statement_timestamp(), \(counts)::int[], \(seconds)::int[]) IS NULL
                                       THEN c.admitted_by ELSE pg_current_xact_id() END
                RETURNING number_e164, stamps, admitted_by = pg_current_xact_id() AS admitted
            )
            SELECT statement_timestamp() AS now, number_e164, ARRAY(SELECT extract(epoch FROM s)::float8 FROM unnest(stamps) AS s) AS stamps
            FROM decided WHERE NOT admitted
            UNION ALL SELECT statement_timestamp(), NULL, NULL
            """
        ).rows
        var refused: [String: CapCheck] = [:]
        var now: Date?
        for row in rows {
            let at: Date = try row.decode("now")
            now = at
            guard let number: String = try row.decode("number_e164") else { continue }
            let stamps = try row.decode("stamps", as: [Double].self).map { Date(timeIntervalSince1970: $0) }
            let check = FrequencyCaps.check(stamps: stamps, now: at, windows: windows)
            // The statement found a window full; should the stamps read otherwise here, the shortest
            // wait is still an answer that never invites a send the caps refuse.
            refused[number] = check == .allowed ? .refused(retryAfter: 1, window: windows[0]) : check
        }
        return (refused, now)
    }

    /// Takes back the stamps this transaction wrote for `numbers` (admitted by their caps, then over a
    /// quota), so they cost nothing.
    static func unstamp(_ numbers: [String], category: TemplateCategory, stampedAt: Date?, tenantID: UUID, session: PGSession) async throws {
        guard !numbers.isEmpty, let stampedAt else { return }
        try await session.query(
            """
            UPDATE number_caps SET stamps = array_remove(stamps, \(stampedAt)::timestamptz), admitted_by = NULL
            WHERE tenant_id = \(tenantID) AND category = \(category.rawValue) AND number_e164 = ANY(\(numbers))
              AND admitted_by = pg_current_xact_id()
            """
        )
    }

    /// Locks (creating where new) the quota rows of the current periods, day first; their usage.
    static func lockQuotas(
        _ periods: [QuotaPeriod],
        tenantID: UUID,
        session: PGSession
    ) async throws -> (
        usage: [QuotaPeriod.Kind: QuotaUsage], now: Date
    ) {
        let rows = try await session.query(
            """
            INSERT INTO quota_usage (tenant_id, period, starts_on)
            SELECT \(tenantID), p.period, p.starts_on::date
            FROM unnest(\(periods.map(\.kind.rawValue))::text[], \(periods.map { "\($0.start)" })::text[]) WITH ORDINALITY AS p(period, starts_on, n)
            ORDER BY p.n
            ON CONFLICT (tenant_id, period, starts_on) DO UPDATE SET recipients = quota_usage.recipients
            RETURNING period, recipients, segments, clock_timestamp() AS locked_at
            """
        ).rows
        var usage: [QuotaPeriod.Kind: QuotaUsage] = [:]
        var now = Date.distantPast
        for row in rows {
            now = max(now, try row.decode("locked_at"))
            guard let kind = QuotaPeriod.Kind(rawValue: try row.decode("period")) else { continue }
            usage[kind] = QuotaUsage(recipients: try row.decode("recipients"), segments: try row.decode("segments"))
        }
        return (usage, now)
    }

    static func addUsage(_ added: QuotaUsage, periods: [QuotaPeriod], tenantID: UUID, session: PGSession) async throws {
        guard added.recipients > 0 else { return }
        try await session.query(
            """
            UPDATE quota_usage u SET recipients = u.recipients + \(added.recipients), segments = u.segments + \(added.segments)
            FROM unnest(\(periods.map(\.kind.rawValue))::text[], \(periods.map { "\($0.start)" })::text[]) AS p(period, starts_on)
            WHERE u.tenant_id = \(tenantID) AND u.period = p.period AND u.starts_on = p.starts_on::date
            """
        )
    }
}
