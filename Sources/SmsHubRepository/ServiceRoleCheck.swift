import Postgres

/// What would let the service role read across tenants despite row-level security. The service refuses
/// to start on such a role, and every pool of the service (the primary's and the replica's) refuses a
/// connection on one, since every tenant's isolation rests on these being false.
package struct ServiceRoleCheck: Sendable, Equatable {
    package var role: String
    package var isSuperuser: Bool
    package var bypassesRLS: Bool
    /// Has smshub_admin's rights without `SET ROLE`: its `admin_all` policies would apply to every query.
    package var inheritsAdmin: Bool

    package var problems: [String] {
        var problems: [String] = []
        if self.isSuperuser { problems.append("role \(self.role) is a superuser, which row-level security does not apply to") }
        if self.bypassesRLS { problems.append("role \(self.role) has BYPASSRLS") }
        if self.inheritsAdmin, !self.isSuperuser {
            problems.append("role \(self.role) inherits smshub_admin's rights (make it NOINHERIT: ALTER ROLE \(self.role) NOINHERIT)")
        }
        return problems
    }

    /// A connection refused because its role could read across tenants. It names the role and what
    /// is wrong with it, never the URL.
    package struct Refused: Error, Sendable, CustomStringConvertible {
        package var problems: [String]
        package var description: String { self.problems.joined(separator: "; ") }
    }

    /// The columns `decode` reads, for a query of its own or beside another check's.
    static let columns: PGQuery = """
        current_user::text AS role,
        (SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = current_user) AS rolsuper,
        (SELECT r.rolbypassrls FROM pg_roles r WHERE r.rolname = current_user) AS rolbypassrls,
        EXISTS (SELECT 1 FROM pg_roles a WHERE a.rolname = 'smshub_admin' AND pg_has_role(current_user, a.oid, 'USAGE')) AS inherits_admin
        """

    /// `PGConfiguration.checkConnection` for the service's pools: a connection whose role has a
    /// problem is closed before any query of a tenant runs on it.
    @Sendable static func refuseUnsafe(_ connection: PGConnection) throws {
        guard let row = try connection.execute("SELECT \(fragment: self.columns)").first else { return }
        let problems = try self.decode(row).problems
        guard problems.isEmpty else { throw Refused(problems: problems) }
    }

    static func decode(_ row: PGRow) throws -> ServiceRoleCheck {
        ServiceRoleCheck(
            role: try row.decode("role"),
            isSuperuser: try row.decode("rolsuper"),
            bypassesRLS: try row.decode("rolbypassrls"),
            inheritsAdmin: try row.decode("inherits_admin")
        )
    }
}
