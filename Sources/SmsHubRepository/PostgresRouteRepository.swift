package import Foundation
import Postgres
package import SmsHubDomain

package struct PostgresRouteRepository: RouteRepository {
    let database: Database

    package init(database: Database) {
        self.database = database
    }

    static let columns = "id, name, account_ids, is_default, created_at"

    static func route(_ row: PGRow) throws -> SendRoute {
        SendRoute(
            id: try row.decode("id"),
            name: try row.decode("name"),
            accountIDs: try row.decode("account_ids"),
            isDefault: try row.decode("is_default"),
            createdAt: try row.decode("created_at")
        )
    }

    package func create(tenantID: UUID, _ route: RouteRules.Validated, isDefault: Bool) async throws -> SendRoute {
        do {
            return try await self.database.withTenant(tenantID) { session in
                let row = try await session.query(
                    """
                    INSERT INTO send_routes (tenant_id, name, account_ids, is_default)
                    VALUES (\(tenantID), \(route.name), \(route.accountIDs), \(isDefault))
                    RETURNING \(unescaped: Self.columns)
                    """
                ).first
                guard let row else { throw PGError(kind: .decoding, message: "INSERT … RETURNING gave no row") }
                return try Self.route(row)
            }
        } catch let error as PGError where error.sqlState == SQLState.uniqueViolation {
            if error.constraint == "send_routes_default_idx" { throw DuplicateDefaultAccount() }
            throw NameTaken()
        }
    }

    package func list(tenantID: UUID) async throws -> [SendRoute] {
        try await self.database.withTenant(tenantID) { session in
            try await session.query(
                "SELECT \(unescaped: Self.columns) FROM send_routes WHERE tenant_id = \(tenantID) ORDER BY name LIMIT \(RouteService.maxRoutesPerTenant + 1)"
            ).rows.map(Self.route)
        }
    }

    package func get(tenantID: UUID, id: UUID) async throws -> SendRoute? {
        try await self.database.withTenant(tenantID) { session in
            try await session.query("SELECT \(unescaped: Self.columns) FROM send_routes WHERE tenant_id = \(tenantID) AND id = \(id)").first.map(
                Self.route
            )
        }
    }

    package func defaultRoute(tenantID: UUID) async throws -> SendRoute? {
        try await self.database.withTenant(tenantID) { session in
            try await session.query("SELECT \(unescaped: Self.columns) FROM send_routes WHERE tenant_id = \(tenantID) AND is_default").first.map(
                Self.route
            )
        }
    }

    package func delete(tenantID: UUID, id: UUID) async throws -> Bool {
        try await self.database.withTenant(tenantID) { session in
            try await session.query("DELETE FROM send_routes WHERE tenant_id = \(tenantID) AND id = \(id)").affectedRows == 1
        }
    }
}
