import Foundation
import Logging

/// How the process's open-file limit is shared between what holds a descriptor each: database
/// connections, inbound HTTP connections, provider calls, name lookups and webhook connections.
///
/// Past the limit every `socket`, `accept` and `open` fails with `EMFILE`, whoever asked: a flood of
/// inbound connections would fail the deliveries and the database connections too. So each user
/// gets a bound that fits, and inbound connections only what the others leave. Outbound work
/// together gets at most half of what the database leaves; when the defaults want more (a low limit,
/// 1,024 or 512), all of it is scaled down in proportion.
struct DescriptorBudget: Equatable, Sendable {
    /// Held whatever the service serves: standard streams, each event loop's epoll, eventfd and
    /// timer, the thread pools' pipes, files read at start, the listening sockets.
    static let processReserve = 64
    /// Below this much left after the reserve and the database, the service cannot serve anyone.
    static let minimumWorking = 64
    /// The most connections an operations listener (`/metrics`, `/admin`) holds.
    static let operationsConnections = 64
    /// Inbound connections when the limit is high: more only move the queue from the kernel's backlog into memory.
    static let inboundCeiling = 10_000

    var openFiles: Int
    var database: Int
    var providerCalls: Int
    var lookups: Int
    var webhookWorkers: Int
    var webhookPerEndpoint: Int
    var inbound: Int
    var operationsInbound: Int
    /// An inbound cap set by the operator was lowered to fit.
    var inboundLowered = false

    /// Clients one endpoint worker may hold: its own, and the one it may be retiring (an endpoint
    /// re-pinned to a new address mid-batch), each with up to `webhookPerEndpoint` connections (`WebhookClient`).
    static let clientsPerWebhookWorker = 2

    static func webhookConnections(workers: Int, perEndpoint: Int) -> Int {
        Self.clientsPerWebhookWorker * workers * perEndpoint
    }

    var webhookConnections: Int { Self.webhookConnections(workers: self.webhookWorkers, perEndpoint: self.webhookPerEndpoint) }

    var total: Int {
        Self.processReserve + self.database + self.providerCalls + self.lookups + self.webhookConnections + self.inbound + self.operationsInbound
    }

    struct Wanted: Equatable, Sendable {
        var database: Int
        var providerCalls: Int
        var lookups: Int
        var webhookWorkers: Int
        var webhookPerEndpoint: Int
        /// nil: whatever is left.
        var inbound: Int?
        var operationsListener: Bool
    }

    /// The split of `openFiles`, or nil when it cannot hold the database pools and a working minimum.
    static func split(openFiles: Int, wanted: Wanted) -> DescriptorBudget? {
        let available = openFiles - self.processReserve - wanted.database
        guard available >= self.minimumWorking else { return nil }
        let operations = wanted.operationsListener ? min(self.operationsConnections, available / 16) : 0
        let rest = available - operations
        let wantedWebhook = Self.webhookConnections(workers: wanted.webhookWorkers, perEndpoint: wanted.webhookPerEndpoint)
        let wantedOutbound = wanted.providerCalls + wanted.lookups + wantedWebhook
        let share = rest / 2
        func scaled(_ n: Int) -> Int {
            wantedOutbound <= share ? n : max(1, n * share / wantedOutbound)
        }
        let calls = max(2, scaled(wanted.providerCalls))
        let lookups = max(2, scaled(wanted.lookups))
        let webhook = max(2, scaled(wantedWebhook))
        // Fewer connections per endpoint first; fewer endpoints at once only when one each is still too many.
        let perEndpoint = max(1, min(wanted.webhookPerEndpoint, webhook / Self.webhookConnections(workers: wanted.webhookWorkers, perEndpoint: 1)))
        let workers = max(1, min(wanted.webhookWorkers, webhook / Self.webhookConnections(workers: 1, perEndpoint: perEndpoint)))
        let room = rest - calls - lookups - Self.webhookConnections(workers: workers, perEndpoint: perEndpoint)
        let inbound = min(wanted.inbound ?? self.inboundCeiling, room)
        return DescriptorBudget(
            openFiles: openFiles,
            database: wanted.database,
            providerCalls: calls,
            lookups: lookups,
            webhookWorkers: workers,
            webhookPerEndpoint: perEndpoint,
            inbound: inbound,
            operationsInbound: operations,
            inboundLowered: wanted.inbound.map { $0 > room } ?? false
        )
    }

    /// The soft open-file limit of this process (`ulimit -n`), at most a million.
    static func openFileLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        return Int(clamping: min(limit.rlim_cur, 1_000_000))
    }
}

extension AppConfiguration {
    /// This configuration with every bound of `DescriptorBudget` fitted to `openFiles`.
    func fitted(openFiles: Int) throws -> (AppConfiguration, DescriptorBudget) {
        let wanted = DescriptorBudget.Wanted(
            database: self.databasePoolSize * (self.readDatabaseURL == nil ? 1 : 2),
            providerCalls: self.outboundLimits.total,
            lookups: self.dns.total,
            webhookWorkers: self.webhookLimits.total,
            webhookPerEndpoint: self.webhookLimits.perEndpoint,
            inbound: self.serverLimits.maxConnections,
            operationsListener: self.operationsListener != nil
        )
        guard let budget = DescriptorBudget.split(openFiles: openFiles, wanted: wanted) else {
            throw StartupError.tooFewOpenFiles(openFiles, needed: DescriptorBudget.processReserve + wanted.database + DescriptorBudget.minimumWorking)
        }
        var fitted = self
        fitted.serverLimits.maxConnections = budget.inbound
        fitted.serverLimits.operationsMaxConnections = budget.operationsInbound
        fitted.outboundLimits.total = budget.providerCalls
        fitted.outboundLimits.perTenant = min(self.outboundLimits.perTenant, budget.providerCalls)
        fitted.outboundLimits.perAccount = min(self.outboundLimits.perAccount, fitted.outboundLimits.perTenant)
        fitted.dns.total = budget.lookups
        fitted.dns.perTenant = min(self.dns.perTenant, budget.lookups)
        fitted.webhookLimits.total = budget.webhookWorkers
        fitted.webhookLimits.perTenant = min(self.webhookLimits.perTenant, budget.webhookWorkers)
        fitted.webhookLimits.perEndpoint = budget.webhookPerEndpoint
        return (fitted, budget)
    }
}

extension DescriptorBudget {
    func log(_ logger: Logger) {
        logger.info(
            "descriptor budget",
            metadata: [
                "open_files": "\(self.openFiles)", "database": "\(self.database)", "inbound": "\(self.inbound)",
                "operations": "\(self.operationsInbound)", "provider_calls": "\(self.providerCalls)", "lookups": "\(self.lookups)",
                "webhook_connections": "\(self.webhookConnections)",
            ]
        )
        if self.inboundLowered {
            logger.warning("SMSHUB_HTTP_MAX_CONNECTIONS lowered to fit the open-file limit", metadata: ["inbound": "\(self.inbound)"])
        }
    }
}
