import Postgres
import SmsHubDomain

/// Runs `backfill_event_recipients`, which crosses tenants as `smshub_admin`; concurrent callers take
/// different tenants (SKIP LOCKED).
public struct PostgresEventRecipientBackfillRepository: EventRecipientBackfillRepository {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    public func fill(limit: Int) async throws -> Int {
        let bounded = Int32(clamping: limit)
        guard let row = try await self.database.lookupAcrossTenants("SELECT backfill_event_recipients(\(bounded)) AS walked").first else {
            return 0
        }
        let walked: Int32 = try row.decode("walked")
        return Int(walked)
    }
}
