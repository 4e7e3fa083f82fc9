import Postgres

/// What would let the service role read across tenants despite row-level security. The service refuses
/// to start on such a role, since every tenant's isolation rests on these being false.
public struct ServiceRoleCheck: Sendable, Equatable {
    public var role: String
    public var isSuperuser: Bool
    public var bypassesRLS: Bool
    /// Has smshub_admin's rights without `SET ROLE`: its `admin_all` policies would apply to every query.
    public var inheritsAdmin: Bool

    public var problems: [String] {
        var problems: [String] = []
        if self.isSuperuser { problems.append("role \(self.role) is a superuser, which row-level security does not apply to") }
        if self.bypassesRLS { problems.append("role \(self.role) has BYPASSRLS") }
        if self.inheritsAdmin, !self.isSuperuser {
            problems.append("role \(self.role) inherits smshub_admin's rights (make it NOINHERIT: ALTER ROLE \(self.role) NOINHERIT)")
        }
        return problems
    }

    public static func current(_ session: PGSession) async throws -> ServiceRoleCheck {
        let row = try await session.query(
            """
            SELECT current_user::text AS role, r.rolsuper, r.rolbypassrls,
                   EXISTS (SELECT 1 FROM pg_roles a WHERE a.rolname = 'smshub_admin' AND pg_has_role(current_user, a.oid, 'USAGE')) AS inherits_admin
            FROM pg_roles r WHERE r.rolname = current_user
            """
        ).first
        guard let row else { return ServiceRoleCheck(role: "?", isSuperuser: false, bypassesRLS: false, inheritsAdmin: false) }
        return ServiceRoleCheck(
            role: try row.decode("role"),
            isSuperuser: try row.decode("rolsuper"),
            bypassesRLS: try row.decode("rolbypassrls"),
            inheritsAdmin: try row.decode("inherits_admin")
        )
    }
}
