import Logging
import ServiceLifecycle
import SmsHubDomain
import SmsHubRepository

/// Checks the read replica every `interval` and so decides where lists read until the next check
/// (`ReadRouting`); says so in the log when that changes, and in `/metrics` always.
struct ReplicaMonitor: Service {
    let routing: ReadRouting
    let metrics: ServiceMetrics
    let logger: Logger
    var interval: Duration = .seconds(1)

    func run() async throws {
        var previous: Bool?
        await runPasses(every: self.interval, logger: self.logger, failure: "replica check failed") {
            let verdict = await self.routing.check()
            let status = self.routing.status
            self.metrics.recordReadReplica(inUse: status.usingReplica, staleness: status.staleness)
            if previous != status.usingReplica {
                if status.usingReplica {
                    self.logger.notice("lists read from the replica", metadata: ["staleness_s": "\(status.staleness.map(\.inSeconds) ?? 0)"])
                } else {
                    self.logger.warning("lists read from the primary", metadata: ["reason": "\(verdict.reason)"])
                }
                previous = status.usingReplica
            }
        }
    }
}

extension ReadRouting.Verdict {
    var reason: String {
        switch self {
        case .noReplica: "no replica configured"
        case .fresh: "fresh"
        case .behind: "the replica is further behind than SMSHUB_READ_MAX_LAG_MS"
        case .notAReplica: "DATABASE_READ_URL is not a server in recovery"
        case .unreachable: "the replica (or the primary) did not answer"
        case .unsafeRole(let problems): "DATABASE_READ_URL's role would see every tenant's rows: " + problems.joined(separator: "; ")
        }
    }
}
