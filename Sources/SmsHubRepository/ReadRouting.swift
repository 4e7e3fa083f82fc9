import Foundation
import Postgres
package import SmsHubDomain
import Synchronization

/// Where reads that tolerate lag go (the tenant API's lists and the daily summary): a streaming
/// replica of the primary while it has replayed everything the primary had written `maxLag` ago,
/// the primary otherwise (no replica configured, replica unreachable, behind, or not a replica).
///
/// Freshness is measured in WAL positions, not replay timestamps: each check notes the primary's
/// position, then asks how far the replica has replayed. The replica holds at least what the primary
/// held at the newest noted position it has reached, so its data is at most as old as that note.
/// An idle primary therefore never makes a caught-up replica look stale.
package final class ReadRouting: Sendable {
    package let primary: Database
    package let replica: Database?
    package let maxLag: Duration
    let clock: MonotonicClock

    struct Note {
        var at: ContinuousClock.Instant
        var position: UInt64
    }

    struct State {
        var notes: [Note] = []
        var useReplica = false
        var staleness: Duration?
    }

    private let state = Mutex(State())

    package init(primary: Database, replica: Database? = nil, maxLag: Duration = .seconds(5), clock: MonotonicClock = .system) {
        self.primary = primary
        self.replica = replica
        self.maxLag = maxLag
        self.clock = clock
    }

    /// The database for a read that tolerates `maxLag`.
    package var reads: Database {
        guard let replica = self.replica, self.state.withLock({ $0.useReplica }) else { return self.primary }
        return replica
    }

    /// Whether reads go to the replica, and how old its data was at the last check (nil: unknown).
    package var status: (usingReplica: Bool, staleness: Duration?) {
        self.state.withLock { ($0.useReplica, $0.staleness) }
    }

    /// What a check found, for the monitor's log line.
    package enum Verdict: Sendable, Equatable {
        case noReplica
        case fresh(staleness: Duration)
        case behind(staleness: Duration?)
        case notAReplica
        case unreachable
        /// DATABASE_READ_URL's role could read across tenants (`ServiceRoleCheck`): never used for reads.
        case unsafeRole([String])
    }

    /// Notes the primary's position, reads the replica's, and decides where reads go until the next
    /// check. Errors count as "use the primary": a broken replica costs freshness, never an answer.
    @discardableResult
    package func check() async -> Verdict {
        guard let replica = self.replica else { return .noReplica }
        let primaryPosition: UInt64
        do {
            let row = try await self.primary.lookupAcrossTenants("SELECT pg_current_wal_lsn()::text AS lsn").first
            guard let text: String = try row?.decode("lsn"), let position = Self.position(text) else {
                return self.decide(.unreachable)
            }
            primaryPosition = position
        } catch {
            // The primary is the one every write needs: its failure is reported elsewhere.
            return self.decide(.unreachable)
        }
        let noted = self.clock.now()
        self.state.withLock { state in
            state.notes.append(Note(at: noted, position: primaryPosition))
            // Only notes younger than twice the tolerance can decide anything.
            state.notes.removeAll { noted - $0.at > self.maxLag * 2 }
        }
        let replayed: UInt64
        do {
            // The role again on every check: one altered while connected reads no further than this.
            let row = try await replica.lookupAcrossTenants(
                "SELECT pg_is_in_recovery() AS recovering, pg_last_wal_replay_lsn()::text AS lsn, \(fragment: ServiceRoleCheck.columns)"
            ).first
            guard let row else { return self.decide(.unreachable) }
            let problems = try ServiceRoleCheck.decode(row).problems
            guard problems.isEmpty else { return self.decide(.unsafeRole(problems)) }
            guard try row.decode("recovering", as: Bool.self) else { return self.decide(.notAReplica) }
            guard let text: String = try row.decode("lsn"), let position = Self.position(text) else { return self.decide(.unreachable) }
            replayed = position
        } catch let refused as ServiceRoleCheck.Refused {
            return self.decide(.unsafeRole(refused.problems))
        } catch {
            return self.decide(.unreachable)
        }
        let checked = self.clock.now()
        let reached = self.state.withLock { state in state.notes.last { $0.position <= replayed } }
        guard let reached else { return self.decide(.behind(staleness: nil)) }
        let staleness = checked - reached.at
        return self.decide(staleness <= self.maxLag ? .fresh(staleness: staleness) : .behind(staleness: staleness))
    }

    private func decide(_ verdict: Verdict) -> Verdict {
        self.state.withLock { state in
            switch verdict {
            case .fresh(let staleness):
                state.useReplica = true
                state.staleness = staleness
            case .behind(let staleness):
                state.useReplica = false
                state.staleness = staleness
            case .noReplica, .notAReplica, .unreachable, .unsafeRole:
                state.useReplica = false
                state.staleness = nil
            }
        }
        return verdict
    }

    /// A WAL position as PostgreSQL writes it (`16/B374D848`: two hexadecimal halves).
    static func position(_ text: String) -> UInt64? {
        let halves = text.split(separator: "/", omittingEmptySubsequences: false)
        guard halves.count == 2, (1...8).contains(halves[0].count), (1...8).contains(halves[1].count),
            let high = UInt64(halves[0], radix: 16), let low = UInt64(halves[1], radix: 16)
        else { return nil }
        return high << 32 | low
    }
}
