import SmsHubDomain

/// Runs `backfill_event_recipients`, which crosses tenants as `smshub_admin`; concurrent callers take
/// different tenants (SKIP LOCKED).
public struct PostgresEventRecipientBackfillRepository: EventRecipientBackfillRepository {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    public func fill(limit: Int) async throws -> Int {
        try await self.database.stepAcrossTenants("backfill_event_recipients", limit: limit)
    }
}
