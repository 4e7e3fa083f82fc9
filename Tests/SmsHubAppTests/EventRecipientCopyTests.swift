import Foundation
import HTTPTypes
import Logging
import SmsHubDomain
import TestSupport
import Testing

@testable import SmsHubApp
@testable import SmsHubRepository

extension AppHarness {
    /// Events whose copies of their recipient (migration 0022) are not what they should be: its
    /// message, and its number where they do not name it themselves; none when unattached.
    func eventRecipientMismatches() async throws -> Int {
        let rows = try await self.rows(
            """
            SELECT count(*)::text AS n
            FROM status_events e LEFT JOIN message_recipients r ON r.tenant_id = e.tenant_id AND r.id = e.recipient_id
            WHERE e.recipient_number_e164 IS DISTINCT FROM (CASE WHEN r.number_e164 IS DISTINCT FROM e.number_e164 THEN r.number_e164 END)
               OR e.message_id IS DISTINCT FROM r.message_id
            """
        )
        return Int(rows[0]["n"]!!) ?? -1
    }
}

/// Attached events keep their recipient's message, and its number where they do not name it
/// (migration 0022): `GET /v1/status-events?number=` reads index ranges and no list looks recipients
/// up. Events attached before 0022 are listed the same while the walk fills them in, and after.
@Suite(.tags(.slow), .timeLimit(.minutes(10))) struct EventRecipientCopyTests {
    @Test func attachedEventsKeepTheirRecipientsNumberWhereTheyDoNotNameIt() async throws {
        try await withApp { app in
            // EngageLab names the number: nothing kept beside it.
            let engageLab = try await app.engageLab()
            _ = try await app.seedRecipients(
                engageLab,
                [("+8618871186627", "+8618871186627", "1679392394031_15_17153_881599_c1fjwa$+8618871186627")]
            )
            #expect(try await app.postEngageLab(engageLab, EngageLabSeeds.failed).status == .ok)

            // Huawei names none: the event keeps its recipient's, whether attached at once or later.
            let huawei = try await app.makeAccount("huawei")
            _ = try await app.seedRecipients(huawei, [("13800000002", "+8613800000002", "single-1")])
            let form = "application/x-www-form-urlencoded"
            #expect(try await app.post(huawei.path("status"), body: "smsMsgId=single-1&status=DELIVRD", contentType: form).status == .ok)
            #expect(try await app.post(huawei.path("status"), body: "smsMsgId=late-1&status=DELIVRD", contentType: form).status == .ok)
            let kept = "SELECT provider_message_id, recipient_number_e164, message_id::text FROM status_events ORDER BY provider_message_id"
            var rows = try await app.rows(kept)
            #expect(rows.map { $0["provider_message_id"]!! } == ["1679392394031_15_17153_881599_c1fjwa$+8618871186627", "late-1", "single-1"])
            #expect(rows.map { $0["recipient_number_e164"]! } == [nil, nil, "+8613800000002"])
            #expect(try await app.items("/v1/status-events?number=13800000003", key: huawei.key).items.isEmpty)

            // The report beat its send: attached when the recipient's provider id is recorded.
            _ = try await app.seedRecipients(huawei, [("13800000003", "+8613800000003", "late-1")])
            try await Database(pool: app.pool).withTenant(huawei.tenantID) { session in
                try await RecipientStatus.attachAndApply(
                    tenantID: huawei.tenantID,
                    keys: [StatusAttachment.Key(accountID: huawei.accountID, providerMessageID: "late-1")],
                    session: session
                )
            }
            rows = try await app.rows(kept)
            #expect(rows.map { $0["recipient_number_e164"]! } == [nil, "+8613800000003", "+8613800000002"])
            #expect(rows.map { $0["message_id"]! != nil } == [true, true, true])
            let late = try await app.items("/v1/status-events?number=13800000003", key: huawei.key).items
            #expect(late.map { $0["provider_message_id"] as? String } == ["late-1"])
            #expect(try await app.items("/v1/status-events?number=%2B8618871186627", key: engageLab.key).items.count == 1)
            #expect(try await app.eventRecipientMismatches() == 0)
        }
    }

    /// Events stored before 0022 have no kept number; the list finds them by probing the recipients
    /// below the tenant's backfill mark, so it is the same list before, during and after the walk.
    @Test func eventsAttachedBefore0022AreListedThroughoutTheBackfill() async throws {
        try await withApp { app in
            let huawei = try await app.makeAccount("huawei")
            let stranger = try await app.makeAccount("huawei")
            let form = "application/x-www-form-urlencoded"
            var seeded: [(String, String, String)] = []
            for n in 0..<7 {
                // Five recipients of one number, two of others.
                let national = n < 5 ? "13900000001" : "1390000000\(n)"
                seeded.append((national, "+86" + national, "old-\(n)"))
            }
            for account in [huawei, stranger] {
                _ = try await app.seedRecipients(account, seeded)
                for n in 0..<7 {
                    for status in ["ACCEPTD", "DELIVRD"] {
                        let body = "smsMsgId=old-\(n)&status=\(status)&updateTime=2026-11-27T10:0\(n):0\(status == "ACCEPTD" ? 0 : 5)Z"
                        #expect(try await app.post(account.path("status"), body: body, contentType: form).status == .ok)
                    }
                }
            }
            let path = "/v1/status-events?number=13900000001"
            let expected = ids(try await app.items(path, key: huawei.key).items)
            #expect(expected.count == 10)
            #expect(Set(expected).isDisjoint(with: ids(try await app.items(path, key: stranger.key).items)))

            let messages = try await app.items("/v1/status-events", key: huawei.key).items.map { $0["message_id"] as? String }
            #expect(messages.count == 14 && messages.allSatisfy { $0 != nil })
            // As stored before 0022: no copies, and a walk waiting for both tenants.
            _ = try await app.rows("UPDATE status_events SET recipient_number_e164 = NULL, message_id = NULL RETURNING id")
            _ = try await app.rows(
                """
                INSERT INTO event_recipient_backfill (tenant_id, below_id)
                SELECT DISTINCT tenant_id, 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid FROM status_events RETURNING tenant_id
                """
            )
            #expect(try await app.eventRecipientMismatches() == 28)
            #expect(ids(try await app.items(path, key: huawei.key).items) == expected)
            #expect(ids(try await app.allPages(path, key: huawei.key, limit: 3)) == expected)
            #expect(try await app.items("/v1/status-events", key: huawei.key).items.map { $0["message_id"] as? String } == messages)

            let backfiller = EventRecipientBackfiller(
                repository: PostgresEventRecipientBackfillRepository(database: Database(pool: app.pool)),
                logger: Logger(label: "test"),
                batch: 2,
                maxBatches: 1
            )
            var walked: [Int] = []
            while true {
                let slice = try await backfiller.runOnce()
                walked.append(slice)
                if slice == 0 { break }
                // Part way: some recipients filled in, the rest probed; the list is the same.
                #expect(ids(try await app.items(path, key: huawei.key).items) == expected)
                #expect(ids(try await app.allPages(path, key: huawei.key, limit: 3)) == expected)
                #expect(try await app.items("/v1/status-events", key: huawei.key).items.map { $0["message_id"] as? String } == messages)
            }
            // Per tenant: slices of 2 over 7 recipients, the short one ending the walk.
            #expect(walked == [2, 2, 2, 1, 2, 2, 2, 1, 0])
            #expect(try await app.count("event_recipient_backfill") == 0)
            #expect(try await app.eventRecipientMismatches() == 0)
            #expect(ids(try await app.items(path, key: huawei.key).items) == expected)
            #expect(ids(try await app.allPages(path, key: huawei.key, limit: 3)) == expected)
            #expect(try await app.items("/v1/status-events", key: huawei.key).items.map { $0["message_id"] as? String } == messages)
        }
    }
}
