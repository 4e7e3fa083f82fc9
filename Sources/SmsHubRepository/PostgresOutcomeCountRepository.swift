import SmsHubDomain

/// Folds the queued outcome changes through `fold_recipient_outcomes`, which crosses tenants as
/// `smshub_admin` and lets one caller fold at a time.
public struct PostgresOutcomeCountRepository: OutcomeCountRepository {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    public func fold(limit: Int) async throws -> Int {
        try await self.database.stepAcrossTenants("fold_recipient_outcomes", limit: limit)
    }
}
