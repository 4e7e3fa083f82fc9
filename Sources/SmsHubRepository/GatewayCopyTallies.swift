import Foundation
import Postgres
import SmsHubDomain

/// Counts Gateway copies in their tallies (migration 0012) inside the transaction that stores them,
/// so a tally and the events it let through commit together. `GatewayCopyTally` decides.
enum GatewayCopyTallies {
    struct Tag: Hashable {
        var accountID: UUID
        var identity: String
    }

    /// A push whose report was stored from its pulled copy: the stored copy takes the push's number.
    struct Rehome {
        var accountID: UUID
        var dedupKey: String
        var event: ProviderEvent
    }

    struct Counted {
        /// How many copies each item lost (they are duplicates).
        var dropped: [Int: Int] = [:]
        var rehomes: [Rehome] = []
    }

    /// Gives each new Gateway copy among `indices`' events its slot's key and takes the copies of
    /// stored reports out of the batch.
    static func count(
        _ batch: inout [IncomingEvents],
        indices: [Int],
        tenantID: UUID,
        session: PGSession
    ) async throws -> Counted {
        var tags = Set<Tag>()
        for index in indices {
            for event in batch[index].events {
                if let copy = event.gatewayCopy { tags.insert(Tag(accountID: batch[index].accountID, identity: copy.identity)) }
            }
        }
        guard !tags.isEmpty else { return Counted() }
        // Locked in one order in every transaction, so two writers of the same identities cannot deadlock.
        let order = tags.sorted { ($0.accountID.uuidString, $0.identity) < ($1.accountID.uuidString, $1.identity) }
        // The no-op update locks an existing row and returns it; a concurrent writer's count waits for this commit.
        let rows = try await session.query(
            """
            INSERT INTO gateway_copy_tallies (tenant_id, provider_account_id, identity)
            SELECT \(tenantID), k.account_id, k.identity
            FROM unnest(\(order.map(\.accountID)), \(order.map(\.identity))) WITH ORDINALITY AS k(account_id, identity, n)
            ORDER BY k.n
            ON CONFLICT (tenant_id, provider_account_id, identity) DO UPDATE SET pulled = gateway_copy_tallies.pulled
            RETURNING provider_account_id, identity, pushed_numbers, pulled
            """
        ).rows
        var tallies: [Tag: GatewayCopyTally] = [:]
        for row in rows {
            let tag = Tag(accountID: try row.decode("provider_account_id"), identity: try row.decode("identity"))
            tallies[tag] = GatewayCopyTally(pushedNumbers: try row.decode("pushed_numbers"), pulled: try row.decode("pulled"))
        }
        let before = tallies

        var counted = Counted()
        for index in indices {
            let accountID = batch[index].accountID
            batch[index].events = batch[index].events.compactMap { event in
                guard let copy = event.gatewayCopy else { return event }
                let tag = Tag(accountID: accountID, identity: copy.identity)
                switch tallies[tag, default: GatewayCopyTally()].count(copy) {
                case .duplicate:
                    counted.dropped[index, default: 0] += 1
                    return nil
                case .pairsWithPulled(let slot):
                    counted.dropped[index, default: 0] += 1
                    counted.rehomes.append(Rehome(accountID: accountID, dedupKey: copy.dedupKey(slot: slot), event: event))
                    return nil
                case .new(let slot):
                    return event.withDedupKey(copy.dedupKey(slot: slot))
                }
            }
        }

        let changed = order.filter { tallies[$0] != before[$0] }
        guard !changed.isEmpty else { return counted }
        try await session.query(
            """
            UPDATE gateway_copy_tallies t
            SET pushed_numbers = ARRAY(SELECT jsonb_array_elements_text(k.pushed_numbers)), pulled = k.pulled
            FROM unnest(\(changed.map(\.accountID)), \(changed.map(\.identity)),
                        \(try changed.map { try PGJSON(encoding: tallies[$0]!.pushedNumbers) }), \(changed.map { Int32(clamping: tallies[$0]!.pulled) }))
                 AS k(account_id, identity, pushed_numbers, pulled)
            WHERE t.tenant_id = \(tenantID) AND t.provider_account_id = k.account_id AND t.identity = k.identity
            """
        )
        return counted
    }
}

extension ProviderEvent {
    var gatewayCopy: GatewayCopy? {
        switch self {
        case .status(let report): report.gatewayCopy
        case .reply(let reply): reply.gatewayCopy
        case .review, .unrecognised: nil
        }
    }

    func withDedupKey(_ key: String) -> ProviderEvent {
        switch self {
        case .status(var report):
            report.dedupKey = key
            return .status(report)
        case .reply(var reply):
            reply.dedupKey = key
            return .reply(reply)
        case .review, .unrecognised:
            return self
        }
    }
}
