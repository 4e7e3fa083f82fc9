package import Foundation
import Postgres
package import SmsHubDomain

package struct PostgresProviderAccountRepository: ProviderAccountRepository {
    let database: Database

    package init(database: Database) {
        self.database = database
    }

    static let columns =
        "id, tenant_id, provider, name, status, settings, secrets, secrets_key_id, secret_names, is_default, created_at, updated_at, disabled_at"

    package func insert(_ record: ProviderAccountRecord) async throws -> ProviderAccount {
        let account = record.account
        guard let tokenHash = record.newCallbackTokenHash else {
            preconditionFailure("a new account needs a callback token")
        }
        return try await self.translatingDefaultConflict {
            try await self.database.withTenant(account.tenantID) { session in
                // Counted under a lock of the tenant's own, so concurrent creations cannot pass the cap together.
                _ = try await session.query("SELECT pg_advisory_xact_lock(hashtextextended('provider_accounts:' || \(account.tenantID)::text, 0))")
                let count = try await session.query("SELECT count(*) AS n FROM provider_accounts WHERE tenant_id = \(account.tenantID)").first
                if try count?.decode("n", as: Int.self) ?? 0 >= ProviderAccountService.maxAccountsPerTenant { throw TooManyAccounts() }
                let result = try await session.query(
                    """
                    INSERT INTO provider_accounts (tenant_id, id, provider, name, settings, secrets, secrets_key_id, secret_names, callback_token_hash, is_default)
                    VALUES (\(account.tenantID), \(account.id), \(account.provider.rawValue), \(account.name), \(try PGJSON(encoding: account.settings)),
                            \(PGBytes(record.sealed.box)), \(record.sealed.keyID), \(account.secretNames), \(PGBytes(tokenHash)), \(account.isDefault))
                    RETURNING \(unescaped: Self.columns)
                    """
                )
                return try Self.record(result.first!).account
            }
        }
    }

    package func list(tenantID: UUID, after cursor: PageCursor?, limit: Int) async throws -> Page<ProviderAccount> {
        try await self.database.withTenant(tenantID) { session in
            let result: PGResult
            if let cursor {
                result = try await session.query(
                    """
                    SELECT \(unescaped: Self.columns) FROM provider_accounts
                    WHERE tenant_id = \(tenantID) AND (created_at, id) < (\(cursor.time), \(cursor.id))
                    ORDER BY created_at DESC, id DESC LIMIT \(limit + 1)
                    """
                )
            } else {
                result = try await session.query(
                    "SELECT \(unescaped: Self.columns) FROM provider_accounts WHERE tenant_id = \(tenantID) ORDER BY created_at DESC, id DESC LIMIT \(limit + 1)"
                )
            }
            return Page(overfetched: try result.rows.map { try Self.record($0).account }, limit: limit) { PageCursor(time: $0.createdAt, id: $0.id) }
        }
    }

    package func get(tenantID: UUID, id: UUID) async throws -> ProviderAccount? {
        try await self.record(tenantID: tenantID, id: id)?.account
    }

    package func record(tenantID: UUID, id: UUID) async throws -> ProviderAccountRecord? {
        try await self.database.withTenant(tenantID) { session in
            let result = try await session.query(
                "SELECT \(unescaped: Self.columns) FROM provider_accounts WHERE tenant_id = \(tenantID) AND id = \(id)"
            )
            return try result.first.map(Self.record)
        }
    }

    package func update(
        tenantID: UUID,
        id: UUID,
        _ change: @Sendable (ProviderAccountRecord) throws -> ProviderAccountRecord
    ) async throws -> ProviderAccount? {
        try await self.translatingDefaultConflict {
            try await self.database.withTenant(tenantID) { session in
                let current = try await session.query(
                    "SELECT \(unescaped: Self.columns) FROM provider_accounts WHERE tenant_id = \(tenantID) AND id = \(id) FOR UPDATE"
                )
                guard let row = current.first else { return nil }
                let updated = try change(try Self.record(row))
                let account = updated.account
                let tokenHash = updated.newCallbackTokenHash.map(PGBytes.init)
                let result = try await session.query(
                    """
                    UPDATE provider_accounts SET
                        name = \(account.name), status = \(account.status.rawValue), settings = \(try PGJSON(encoding: account.settings)),
                        secrets = \(PGBytes(updated.sealed.box)), secrets_key_id = \(updated.sealed.keyID), secret_names = \(account.secretNames),
                        is_default = \(account.isDefault),
                        callback_token_hash = coalesce(\(tokenHash), callback_token_hash),
                        disabled_at = CASE WHEN \(account.status.rawValue) = 'disabled' THEN coalesce(disabled_at, now()) ELSE NULL END,
                        updated_at = now()
                    WHERE tenant_id = \(tenantID) AND id = \(id)
                    RETURNING \(unescaped: Self.columns)
                    """
                )
                return try Self.record(result.first!).account
            }
        }
    }

    package func resolveCallbackToken(hash: [UInt8]) async throws -> CallbackAccount? {
        let result = try await self.database.lookupAcrossTenants(
            """
            SELECT tenant_id, account_id, provider, account_status, tenant_status, settings, secrets, secrets_key_id
            FROM resolve_callback_token(\(PGBytes(hash)))
            """
        )
        guard let row = result.first else { return nil }
        let provider: String = try row.decode("provider")
        return CallbackAccount(
            tenantID: try row.decode("tenant_id"),
            accountID: try row.decode("account_id"),
            provider: Provider(rawValue: provider)!,
            accountStatus: AccountStatus(rawValue: try row.decode("account_status")) ?? .disabled,
            tenantStatus: TenantStatus(rawValue: try row.decode("tenant_status")) ?? .disabled,
            settings: try row.decode("settings", as: PGJSON.self).decode(ProviderSettings.self),
            sealed: SealedSecrets(keyID: try row.decode("secrets_key_id"), box: try row.decode("secrets", as: PGBytes.self).bytes)
        )
    }

    private func translatingDefaultConflict<R>(_ body: () async throws -> R) async throws -> R {
        do {
            return try await body()
        } catch let error as PGError where error.sqlState == SQLState.uniqueViolation && error.constraint == "provider_accounts_default_idx" {
            throw DuplicateDefaultAccount()
        }
    }

    static func record(_ row: PGRow) throws -> ProviderAccountRecord {
        let provider: String = try row.decode("provider")
        let account = ProviderAccount(
            id: try row.decode("id"),
            tenantID: try row.decode("tenant_id"),
            provider: Provider(rawValue: provider)!,
            name: try row.decode("name"),
            status: AccountStatus(rawValue: try row.decode("status")) ?? .disabled,
            settings: try row.decode("settings", as: PGJSON.self).decode(ProviderSettings.self),
            secretNames: try row.decode("secret_names"),
            isDefault: try row.decode("is_default"),
            createdAt: try row.decode("created_at"),
            updatedAt: try row.decode("updated_at"),
            disabledAt: try row.decode("disabled_at")
        )
        return ProviderAccountRecord(
            account: account,
            sealed: SealedSecrets(keyID: try row.decode("secrets_key_id"), box: try row.decode("secrets", as: PGBytes.self).bytes)
        )
    }
}
