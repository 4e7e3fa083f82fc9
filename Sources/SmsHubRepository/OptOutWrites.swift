import Foundation
import Postgres
import SmsHubDomain

/// Writes to a tenant's opt-out list inside a caller's transaction: every change also writes its
/// history row (whose trigger queues the webhook), in one statement.
enum OptOutWrites {
    struct Addition {
        var number: String
        var scope: OptOutScope
        var cause: OptOutCause
        /// A blacklisting, added only when the tenant's rules list those (`opt_out.list_blacklisted`).
        var blacklisting = false
    }

    static let columns = "id, number_e164, scope, source, reason, api_key_id, provider_account_id, reply_id, code, created_at"

    /// Adds the entries the number does not have yet; returns those added.
    @discardableResult
    static func add(_ additions: [Addition], tenantID: UUID, session: PGSession) async throws -> [OptOutEntry] {
        guard !additions.isEmpty else { return [] }
        let rows = try await session.query(
            """
            WITH wanted AS (
                SELECT e.* FROM unnest(\(additions.map(\.number)), \(additions.map(\.scope.rawValue)), \(additions.map(\.cause.source.rawValue)),
                                       \(PGArray(additions.map(\.cause.reason))), \(PGArray(additions.map(\.cause.apiKeyID))),
                                       \(PGArray(additions.map(\.cause.providerAccountID))), \(PGArray(additions.map(\.cause.replyID))),
                                       \(PGArray(additions.map(\.cause.code))), \(additions.map(\.blacklisting)))
                    AS e(number_e164, scope, source, reason, api_key_id, provider_account_id, reply_id, code, blacklisting)
                WHERE NOT e.blacklisting
                   OR coalesce((SELECT (r.rules #>> '{opt_out,list_blacklisted}')::boolean FROM tenant_send_rules r
                                WHERE r.tenant_id = \(tenantID)), true)
            ), added AS (
                INSERT INTO opt_outs (tenant_id, number_e164, scope, source, reason, api_key_id, provider_account_id, reply_id, code)
                SELECT \(tenantID), number_e164, scope, source, reason, api_key_id, provider_account_id, reply_id, code FROM wanted
                ON CONFLICT (tenant_id, number_e164, scope) DO NOTHING
                RETURNING \(unescaped: Self.columns)
            ), logged AS (
                INSERT INTO opt_out_changes (tenant_id, number_e164, scope, action, source, reason, api_key_id, provider_account_id, reply_id, code, created_at)
                SELECT \(tenantID), number_e164, scope, 'added', source, reason, api_key_id, provider_account_id, reply_id, code, created_at FROM added
            )
            SELECT \(unescaped: Self.columns) FROM added
            """
        ).rows
        return try rows.map(Self.entry)
    }

    /// Removes the number's entries that `matching` selects, logging each removal under `cause`;
    /// returns how many were removed.
    @discardableResult
    static func remove(number: String, matching: PGQuery, cause: OptOutCause, tenantID: UUID, session: PGSession) async throws -> Int {
        try await session.query(
            """
            WITH removed AS (
                DELETE FROM opt_outs WHERE tenant_id = \(tenantID) AND number_e164 = \(number) AND \(fragment: matching)
                RETURNING number_e164, scope
            )
            INSERT INTO opt_out_changes (tenant_id, number_e164, scope, action, source, reason, api_key_id, provider_account_id, reply_id, code)
            SELECT \(tenantID), number_e164, scope, 'removed', \(cause.source.rawValue), \(cause.reason), \(cause.apiKeyID),
                   \(cause.providerAccountID), \(cause.replyID), \(cause.code)
            FROM removed
            """
        ).affectedRows
    }

    /// What an opt-in reply may lift: the entries replies and reports made, when the tenant's rules let
    /// replies opt back in. The tenant's own entries stay.
    static let liftedByReply: PGQuery = """
        source IN ('reply', 'report')
        AND coalesce((SELECT (r.rules #>> '{opt_out,opt_in_by_reply}')::boolean FROM tenant_send_rules r WHERE r.tenant_id = opt_outs.tenant_id), true)
        """

    static func entry(_ row: PGRow) throws -> OptOutEntry {
        OptOutEntry(
            id: try row.decode("id"),
            number: try row.decode("number_e164"),
            scope: OptOutScope(rawValue: try row.decode("scope")) ?? .all,
            cause: try Self.cause(row),
            createdAt: try row.decode("created_at")
        )
    }

    static func cause(_ row: PGRow) throws -> OptOutCause {
        OptOutCause(
            source: OptOutSource(rawValue: try row.decode("source")) ?? .api,
            reason: try row.decode("reason"),
            apiKeyID: try row.decode("api_key_id"),
            providerAccountID: try row.decode("provider_account_id"),
            replyID: try row.decode("reply_id"),
            code: try row.decode("code")
        )
    }
}
