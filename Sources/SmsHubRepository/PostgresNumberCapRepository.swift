import SmsHubDomain

/// Prunes cap rows through `prune_number_caps`, which crosses tenants as `smshub_admin`.
package struct PostgresNumberCapRepository: NumberCapRepository {
    let database: Database

    package init(database: Database) {
        self.database = database
    }

    package func prune(limit: Int) async throws -> Int {
        try await self.database.stepAcrossTenants("prune_number_caps", limit: limit)
    }
}
