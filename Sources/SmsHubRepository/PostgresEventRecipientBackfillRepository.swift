import SmsHubDomain

/// Runs `backfill_event_recipients`, which crosses tenants as `smshub_admin`; concurrent callers take
/// different tenants (SKIP LOCKED).
package struct PostgresEventRecipientBackfillRepository: EventRecipientBackfillRepository {
    let database: Database

    package init(database: Database) {
        self.database = database
    }

    package func fill(limit: Int) async throws -> Int {
        try await self.database.stepAcrossTenants("backfill_event_recipients", limit: limit)
    }
}
