import Logging
package import ServiceLifecycle
import SmsHubDomain
import SmsHubRepository

/// Every service of one instance, each built once: what the routes share (caches, limiter, batcher,
/// the outbound caller) and the background services, which start with the server.
package struct Services: Sendable {
    package let configuration: AppConfiguration
    package let repositories: Repositories
    package let metrics = ServiceMetrics()
    /// Resolves tenants' host names for every outbound call and URL check (`SMSHUB_DNS_*`).
    let names: NameResolver
    /// Blocks allowed per tenant and account by an administrator, for every outbound call and URL check.
    let egressAllowances: EgressAllowanceCache
    let egress: EgressResolver
    /// One cache for the routes that read callback tokens and the ones that change accounts, which clear it.
    let accounts: CallbackAccountCache
    let limiter: RateLimiter
    let batcher: IngestBatcher
    let cursors: PageCursorCodec
    let caller: OutboundCaller
    let poller: GatewayPoller

    package init(configuration: AppConfiguration, repositories: Repositories) {
        self.configuration = configuration
        self.repositories = repositories
        self.names = NameResolver(settings: configuration.dns)
        self.egressAllowances = EgressAllowanceCache(repository: repositories.egressAllowances)
        self.egress = EgressResolver(policy: configuration.egress, names: self.names, allowances: self.egressAllowances)
        self.accounts = CallbackAccountCache(repositories.providerAccounts)
        self.limiter = RateLimiter(defaults: configuration.rateLimits)
        let metrics = self.metrics
        // A quarter of the pool for concurrent ingest transactions leaves the rest to the API and the dispatcher.
        self.batcher = IngestBatcher(
            store: repositories.events,
            maxInFlight: max(1, configuration.databasePoolSize / 4),
            isUnavailable: { DatabaseFailure.isUnavailable($0) },
            logger: Logger(label: "smshub.ingest"),
            onBatch: { metrics.recordIngestBatch(size: $0) }
        )
        self.cursors = PageCursorCodec(keyring: configuration.keyring)
        // Provider calls as configured: egress policy, deadline, and the accounts' circuit breakers.
        self.caller = OutboundCaller(
            client: GatewayClient(
                egress: configuration.egress,
                names: self.names,
                allowances: self.egressAllowances,
                timeout: configuration.outboundTimeout
            ),
            health: repositories.outboundHealth,
            metrics: metrics,
            logger: Logger(label: "smshub.outbound")
        )
        var poller = GatewayPoller(
            polls: repositories.polls,
            accounts: repositories.providerAccounts,
            events: repositories.events,
            caller: self.caller,
            keyring: configuration.keyring,
            logger: Logger(label: "smshub.poll"),
            limits: configuration.outboundLimits
        )
        poller.providerBalances = ProviderBalanceReader(
            gateway: nil,
            accounts: repositories.providerAccounts,
            polls: repositories.polls,
            keyring: configuration.keyring,
            caller: self.caller
        )
        self.poller = poller
    }

    /// The work that runs beside the server, until graceful shutdown.
    package func background() -> [any Service] {
        let configuration = self.configuration
        let repositories = self.repositories
        let webhooks = configuration.webhookLimits
        return [
            Dispatcher(
                repository: repositories.dispatch,
                accounts: repositories.providerAccounts,
                caller: self.caller,
                keyring: configuration.keyring,
                logger: Logger(label: "smshub.dispatch"),
                limits: configuration.outboundLimits,
                publicBaseURL: configuration.publicBaseURL
            ),
            self.poller,
            ExpirySweeper(repository: repositories.expiry, logger: Logger(label: "smshub.expiry")),
            RetentionSweeper(
                repository: repositories.retention,
                logger: Logger(label: "smshub.retention"),
                interval: configuration.retentionInterval
            ),
            OutcomeCountFolder(repository: repositories.outcomeCounts, logger: Logger(label: "smshub.outcome-counts")),
            NumberCapPruner(repository: repositories.numberCaps, logger: Logger(label: "smshub.number-caps")),
            EventRecipientBackfiller(repository: repositories.eventRecipients, logger: Logger(label: "smshub.event-recipients")),
            WebhookDeliverer(
                repository: repositories.webhookDeliveries,
                client: WebhookClient(
                    egress: configuration.egress,
                    names: self.names,
                    allowances: self.egressAllowances,
                    timeout: configuration.webhookTimeout,
                    connectionsPerEndpoint: webhooks.perEndpoint,
                    maxClients: webhooks.total
                ),
                keyring: configuration.keyring,
                metrics: self.metrics,
                logger: Logger(label: "smshub.webhooks"),
                limits: webhooks
            ),
            WebhookBacklogMonitor(repository: repositories.webhookDeliveries, logger: Logger(label: "smshub.webhooks")),
        ]
    }
}
