import SmsHubDomain

/// Folds the queued outcome changes through `fold_recipient_outcomes`, which crosses tenants as
/// `smshub_admin` and lets one caller fold at a time.
package struct PostgresOutcomeCountRepository: OutcomeCountRepository {
    let database: Database

    package init(database: Database) {
        self.database = database
    }

    package func fold(limit: Int) async throws -> Int {
        try await self.database.stepAcrossTenants("fold_recipient_outcomes", limit: limit)
    }
}
