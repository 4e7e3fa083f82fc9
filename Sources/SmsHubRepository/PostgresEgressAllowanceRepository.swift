package import Foundation
import Postgres
package import SmsHubDomain

/// The blocks an administrator allowed for a tenant and its accounts (migration 0027): read by the
/// service under the tenant's own scope, written as the administrator.
package struct PostgresEgressAllowanceRepository: EgressAllowanceRepository {
    let database: Database

    package init(database: Database) {
        self.database = database
    }

    package func allowances(tenantID: UUID) async throws -> EgressAllowances? {
        try await self.database.withTenant(tenantID) { session in
            guard let tenant = try await session.query("SELECT egress_allow FROM tenants WHERE id = \(tenantID)").first else { return nil }
            let accounts = try await session.query(
                "SELECT id, egress_allow FROM provider_accounts WHERE tenant_id = \(tenantID) AND cardinality(egress_allow) > 0"
            )
            var byAccount: [UUID: [String]] = [:]
            for row in accounts.rows { byAccount[try row.decode("id")] = try row.decode("egress_allow", as: [String].self) }
            return EgressAllowances(tenant: try tenant.decode("egress_allow", as: [String].self), accounts: byAccount)
        }
    }

    package func setTenantBlocks(tenantID: UUID, _ blocks: [String]) async throws -> Bool {
        try await self.database.asAdmin { session in
            try await session.query(
                "UPDATE tenants SET egress_allow = \(blocks), updated_at = now() WHERE id = \(tenantID)"
            ).affectedRows == 1
        }
    }

    package func setAccountBlocks(tenantID: UUID, accountID: UUID, _ blocks: [String]) async throws -> Bool {
        try await self.database.asAdmin { session in
            try await session.query(
                """
                UPDATE provider_accounts SET egress_allow = \(blocks), updated_at = now()
                WHERE tenant_id = \(tenantID) AND id = \(accountID)
                """
            ).affectedRows == 1
        }
    }
}
