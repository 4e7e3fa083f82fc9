import Foundation
import Postgres
import SmsHubDomain

/// The rows a message's acceptance decides against (migration 0033), each locked by the accepting
/// transaction in one order: cap rows by number, then the day's quota row, then the month's. Every
/// concurrent acceptance of the tenant, on any instance, waits for the rows it shares with another
/// and then sees what that one admitted; none holds one row while waiting for a row earlier in the order.
/// Each lock returns the clock once it holds its rows: a send stamped by a transaction that committed
/// while this one waited is then never in this one's future.
enum SendAdmissionRows {
    /// Locks (creating where new) the cap rows of `numbers` for `category`, returning their stamps.
    static func lockCaps(
        _ numbers: [String],
        category: TemplateCategory,
        tenantID: UUID,
        session: PGSession
    ) async throws -> (stamps: [String: [Date]], now: Date) {
        // The no-op update is what locks an existing row; the ORDER BY makes every transaction take
        // them in the same order, new and existing alike.
        let rows = try await session.query(
            """
            INSERT INTO number_caps (tenant_id, category, number_e164)
            SELECT \(tenantID), \(category.rawValue), n FROM unnest(\(numbers)::text[]) AS n ORDER BY n
            ON CONFLICT (tenant_id, category, number_e164) DO UPDATE SET stamps = number_caps.stamps
            RETURNING number_e164, ARRAY(SELECT extract(epoch FROM s)::float8 FROM unnest(stamps) AS s) AS stamps, clock_timestamp() AS locked_at
            """
        ).rows
        var stamps: [String: [Date]] = [:]
        var now = Date.distantPast
        for row in rows {
            let seconds: [Double] = try row.decode("stamps")
            stamps[try row.decode("number_e164")] = seconds.map { Date(timeIntervalSince1970: $0) }
            now = max(now, try row.decode("locked_at"))
        }
        return (stamps, now)
    }

    /// Adds a stamp at `now` to each admitted number's row, keeping what `FrequencyCaps.keep` keeps.
    static func stamp(
        _ numbers: [String],
        category: TemplateCategory,
        windows: [CapWindow],
        now: Date,
        tenantID: UUID,
        session: PGSession
    ) async throws {
        guard !numbers.isEmpty, let longest = windows.map(\.seconds).max(), let most = windows.map(\.count).max() else { return }
        try await session.query(
            """
            UPDATE number_caps c SET stamps = ARRAY(
                SELECT s FROM unnest(c.stamps || \(now)::timestamptz) AS s
                WHERE s > \(now)::timestamptz - make_interval(secs => \(longest)) ORDER BY s DESC LIMIT \(most))
            WHERE c.tenant_id = \(tenantID) AND c.category = \(category.rawValue) AND c.number_e164 = ANY(\(numbers))
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
