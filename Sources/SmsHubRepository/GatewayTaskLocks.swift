import Foundation
import Postgres
import SmsHubDomain

/// One lock per Gateway task a batch reports on, taken in one order before any of the task's events
/// or recipients are. Two batches with reports of one task (the two numbers of a pair masked alike)
/// otherwise each lock one of its held copies, re-homing its own, and then wait for the other's,
/// which attaching the copies again needs: a deadlock PostgreSQL ends by failing one of them.
/// Locks are taken after the tallies (sorted too) and before any row, so no cycle can form.
enum GatewayTaskLocks {
    /// The (account, task) keys of a tenant's Gateway reports in the batch and of its re-homed copies.
    static func tasks(of indices: [Int], in batch: [IncomingEvents], rehomes: [GatewayCopyTallies.Rehome]) -> [StatusAttachment.Key] {
        var keys = Set<StatusAttachment.Key>()
        for index in indices where batch[index].provider == .gateway {
            for case .status(let report) in batch[index].events {
                keys.insert(StatusAttachment.Key(accountID: batch[index].accountID, providerMessageID: report.providerMessageID))
            }
        }
        for rehome in rehomes {
            if case .status(let report) = rehome.event {
                keys.insert(StatusAttachment.Key(accountID: rehome.accountID, providerMessageID: report.providerMessageID))
            }
        }
        return Array(keys)
    }

    /// Transaction-scoped advisory locks on the keys' hashes, in the hashes' order. Two keys that hash
    /// alike share a lock: they wait for each other, nothing worse.
    static func lock(_ keys: [StatusAttachment.Key], tenantID: UUID, session: PGSession) async throws {
        guard !keys.isEmpty else { return }
        try await session.query(
            """
            SELECT pg_advisory_xact_lock(s.h) FROM (
                SELECT DISTINCT hashtextextended('gateway_task:' || \(tenantID.uuidString.lowercased()) || ':' || k.account_id::text || ':' || k.message_id, 0) AS h
                FROM unnest(\(keys.map(\.accountID)), \(keys.map(\.providerMessageID))) AS k(account_id, message_id)
                ORDER BY 1 OFFSET 0
            ) s
            """
        )
    }
}
