import Postgres
import SmsHubDomain

/// Folds the queued outcome changes through `fold_recipient_outcomes`, which crosses tenants as
/// `smshub_admin` and lets one caller fold at a time.
public struct PostgresOutcomeCountRepository: OutcomeCountRepository {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    public func fold(limit: Int) async throws -> Int {
        let bounded = Int32(clamping: limit)
        guard let row = try await self.database.lookupAcrossTenants("SELECT fold_recipient_outcomes(\(bounded)) AS folded").first else {
            return 0
        }
        let folded: Int32 = try row.decode("folded")
        return Int(folded)
    }
}
