import Foundation
import Postgres

/// Where a send meets the opt-out list: at acceptance (`PostgresMessageRepository`) and when its
/// recipients are planned into a provider call (`PostgresDispatchRepository.plan`). A recipient
/// stopped there ends `failed` with code `opted_out`, and no provider is called for it.
enum OptOutStop {
    static let code = "opted_out"
    static let description = "the number is on the tenant's opt-out list for this category: no provider was called"

    /// The entry, if any, that stops a message of `category` (a text expression) to `number` (a column), as one
    /// row with its `scope`; the tenant's rules say whether 'all' stops verification codes too.
    static func entry(tenantID: UUID, number: String, category: PGQuery) -> PGQuery {
        """
        SELECT x.scope FROM opt_outs x
        WHERE x.tenant_id = \(tenantID) AND x.number_e164 = \(unescaped: number)
          AND x.scope = ANY (opt_out_scopes(\(fragment: category),
                (SELECT (s.rules #>> '{opt_out,verification}')::boolean FROM tenant_send_rules s WHERE s.tenant_id = \(tenantID))))
        LIMIT 1
        """
    }
}
