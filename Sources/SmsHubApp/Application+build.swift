import AsyncHTTPClient
package import Hummingbird
package import Logging
import ServiceLifecycle
package import SmsHubDomain
package import SmsHubRepository

/// What the routes need, behind protocols where a route only reads or writes through a repository.
package struct AppDependencies: Sendable {
    package var database: Database
    package var migrator: Migrator
    package var tenants: any TenantRepository
    package var tenantSelf: any TenantSelfRepository
    package var keys: any APIKeyRepository
    package var providerAccounts: any ProviderAccountRepository
    package var events: any EventStore
    package var messages: any MessageRepository
    package var polls: any PollRepository
    package var dispatch: any DispatchRepository
    /// Reads that must see the caller's own writes (one resource by id): the primary.
    package var queries: any QueryRepository
    /// Lists and the daily summary: a fresh replica when one is configured (`reads`).
    package var lists: any QueryRepository
    package var reads: ReadRouting
    package var outboundHealth: any OutboundHealthRepository
    package var expiry: any ExpiryRepository
    package var retention: any RetentionRepository
    package var outcomeCounts: any OutcomeCountRepository
    package var eventRecipients: any EventRecipientBackfillRepository
    package var webhookEndpoints: any WebhookEndpointRepository
    package var webhookDeliveries: any WebhookDeliveryRepository
    package var metrics: ServiceMetrics
    /// Resolves tenants' host names for every outbound call and URL check (`SMSHUB_DNS_*`).
    package var names: NameResolver = .system
    /// Blocks allowed per tenant and account by an administrator, for every outbound call and URL check.
    package var egressAllowances: EgressAllowanceCache

    package init(database: Database, migrator: Migrator, reads: ReadRouting? = nil) {
        self.database = database
        self.reads = reads ?? ReadRouting(primary: database)
        self.lists = PostgresQueryRepository(reads: self.reads)
        self.migrator = migrator
        self.tenants = PostgresTenantRepository(database: database)
        self.tenantSelf = PostgresTenantSelfRepository(database: database)
        self.keys = PostgresAPIKeyRepository(database: database)
        self.providerAccounts = PostgresProviderAccountRepository(database: database)
        self.events = PostgresEventStore(database: database)
        self.messages = PostgresMessageRepository(database: database)
        self.polls = PostgresPollRepository(database: database)
        self.dispatch = PostgresDispatchRepository(database: database)
        self.queries = PostgresQueryRepository(database: database)
        self.outboundHealth = PostgresOutboundHealthRepository(database: database)
        self.expiry = PostgresExpiryRepository(database: database)
        self.retention = PostgresRetentionRepository(database: database)
        self.outcomeCounts = PostgresOutcomeCountRepository(database: database)
        self.eventRecipients = PostgresEventRecipientBackfillRepository(database: database)
        self.webhookEndpoints = PostgresWebhookEndpointRepository(database: database)
        self.webhookDeliveries = PostgresWebhookDeliveryRepository(database: database)
        self.metrics = ServiceMetrics()
        self.egressAllowances = EgressAllowanceCache(repository: PostgresEgressAllowanceRepository(database: database))
    }
}

/// A route the service answers, as `METHOD /path/{param}` in OpenAPI's spelling.
package struct ServedRoute: Hashable, Sendable, CustomStringConvertible {
    package var method: String
    package var path: String
    package var description: String { "\(self.method) \(self.path)" }
}

package struct BuiltRouter {
    package let router: Router<AppRequestContext>
    /// `/metrics` and `/admin`, when configured apart from the public routes (`SMSHUB_OPS_PORT`).
    package let operations: Router<AppRequestContext>?
    /// The routes registered by the service itself (not the 405 fallbacks), on either router.
    package let routes: [ServedRoute]
}

/// A router with the service's middleware: request ids, metrics, problem responses.
func makeRouter(metrics: ServiceMetrics) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self, options: [.autoGenerateHeadEndpoints])
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: MetricsMiddleware(metrics: metrics))
    router.add(middleware: ProblemMiddleware(maxBodySize: JSONBody.maxSize))
    return router
}

package func buildRouter(configuration: AppConfiguration, dependencies: AppDependencies) -> BuiltRouter {
    let router = makeRouter(metrics: dependencies.metrics)
    // Metrics and the admin API go to the operations listener when there is one, so a deployment can
    // expose callbacks and the tenant API without them.
    let operations = configuration.operationsListener == nil ? nil : makeRouter(metrics: dependencies.metrics)
    let operational = operations ?? router

    let health = OperationsRoutes(database: dependencies.database, migrator: dependencies.migrator, metrics: dependencies.metrics)
    health.registerHealth(on: router)
    if let operations { health.registerHealth(on: operations) }
    health.registerMetrics(on: operational)

    let metrics = dependencies.metrics
    // One cache for the routes that read callback tokens and the ones that change accounts, which clear it.
    let accounts = CallbackAccountCache(dependencies.providerAccounts)
    // A quarter of the pool for concurrent ingest transactions leaves the rest to the API and the dispatcher.
    let batcher = IngestBatcher(
        store: dependencies.events,
        maxInFlight: max(1, configuration.databasePoolSize / 4),
        isUnavailable: { DatabaseFailure.isUnavailable($0) },
        logger: Logger(label: "smshub.ingest"),
        onBatch: { metrics.recordIngestBatch(size: $0) }
    )
    let limiter = RateLimiter(defaults: configuration.rateLimits)
    CallbackRoutes(
        accounts: accounts,
        events: dependencies.events,
        batcher: batcher,
        keyring: configuration.keyring,
        metrics: metrics,
        limiter: limiter
    )
    .register(on: router)

    let cursors = PageCursorCodec(keyring: configuration.keyring)
    let admin = operational.group("admin").add(middleware: AdminAuthMiddleware(adminToken: configuration.adminToken, limiter: limiter))
    AdminRoutes(tenants: dependencies.tenants, keys: dependencies.keys, cursors: cursors).register(on: admin)
    EgressAllowanceRoutes(
        repository: PostgresEgressAllowanceRepository(database: dependencies.database),
        cache: dependencies.egressAllowances
    ).register(on: admin)

    let tenantAPI = router.group("v1")
        .add(middleware: TenantAuthMiddleware(keys: dependencies.keys, limiter: limiter))
        .group(context: TenantRequestContext.self)
    TenantRoutes(tenants: dependencies.tenantSelf).register(on: tenantAPI)
    ProviderAccountRoutes(
        accounts: accounts,
        keyring: configuration.keyring,
        publicBaseURL: configuration.publicBaseURL,
        cursors: cursors,
        egress: EgressResolver(policy: configuration.egress, names: dependencies.names, allowances: dependencies.egressAllowances),
        health: dependencies.outboundHealth
    )
    .register(on: tenantAPI)
    MessageRoutes(messages: dependencies.messages, accounts: accounts).register(on: tenantAPI)
    // Lists and the summary read where `dependencies.reads` sends them; one resource by id, which a
    // caller may ask for right after creating it or hearing of it by webhook, reads the primary.
    MessageQueryRoutes(queries: dependencies.lists, cursors: cursors).register(on: tenantAPI)
    RecipientRoutes(queries: dependencies.queries).register(on: tenantAPI)
    StatusEventRoutes(queries: dependencies.lists, cursors: cursors).register(on: tenantAPI)
    ReplyRoutes(lists: dependencies.lists, queries: dependencies.queries, cursors: cursors).register(on: tenantAPI)
    ReviewEventRoutes(queries: dependencies.lists, cursors: cursors).register(on: tenantAPI)
    SummaryRoutes(queries: dependencies.lists).register(on: tenantAPI)
    WebhookEndpointRoutes(
        endpoints: dependencies.webhookEndpoints,
        keyring: configuration.keyring,
        egress: EgressResolver(policy: configuration.egress, names: dependencies.names, allowances: dependencies.egressAllowances),
        cursors: cursors,
        limiter: limiter
    )
    .register(on: tenantAPI)
    BalanceRoutes(
        poller: gatewayPoller(configuration: configuration, dependencies: dependencies),
        queries: dependencies.lists,
        cursors: cursors
    )
    .register(on: tenantAPI)

    let all = router.routes + (operations?.routes.filter { !["/healthz", "/readyz"].contains(openAPIPath($0.path.description)) } ?? [])
    let served = all.map { ServedRoute(method: $0.method.rawValue, path: openAPIPath($0.path.description)) }
    MethodNotAllowed.register(on: router)
    if let operations { MethodNotAllowed.register(on: operations) }
    return BuiltRouter(router: router, operations: operations, routes: served)
}

/// `/admin/tenants/:tenant_id` → `/admin/tenants/{tenant_id}`.
func openAPIPath(_ routerPath: String) -> String {
    let path = routerPath.hasPrefix("/") ? routerPath : "/" + routerPath
    return path.split(separator: "/", omittingEmptySubsequences: false).map { segment in
        segment.hasPrefix(":") ? "{\(segment.dropFirst())}" : String(segment)
    }.joined(separator: "/")
}

/// Builds the whole service: pool, repositories, router and HTTP server. `migrate` applies pending
/// migrations first (through the owner connection); otherwise a database behind this build is refused.
package func buildApplication(configuration: AppConfiguration, logger: Logger, migrate: Bool) async throws -> some ApplicationProtocol {
    let (configuration, budget) = try configuration.fitted(openFiles: DescriptorBudget.openFileLimit())
    budget.log(logger)
    let migrator = Migrator(migrations: try Migration.bundled(), logger: logger)
    if migrate {
        try await runMigrations(url: configuration.migrationDatabaseURL, migrator: migrator)
    }
    func connect(_ url: String) -> Database {
        Database.connect(
            url: url,
            maxConnections: configuration.databasePoolSize,
            statementTimeout: configuration.databaseStatementTimeout,
            logger: logger
        )
    }
    let database = connect(configuration.databaseURL)
    do {
        // The pool refuses a connection on a role that bypasses tenancy; at start that refuses to serve.
        let status = try await database.migrationStatus(migrator)
        guard status.isCurrent else {
            throw StartupError.pendingMigrations(status.pending)
        }
        let counts = try await PostgresCredentialKeys(database: database).countsByKey()
        CredentialKeyReport.make(counts: counts, keyring: configuration.keyring).log(logger)
    } catch let refused as ServiceRoleCheck.Refused {
        await database.close()
        throw StartupError.roleBypassesTenancy(refused.problems)
    } catch {
        await database.close()
        throw error
    }
    // The replica is optional at every moment: unreachable at start or later, reads go to the primary.
    let replica = configuration.readDatabaseURL.map(connect)
    let reads = ReadRouting(primary: database, replica: replica, maxLag: configuration.readMaxLag)
    var dependencies = AppDependencies(database: database, migrator: migrator, reads: reads)
    dependencies.names = NameResolver(settings: configuration.dns)
    let built = buildRouter(configuration: configuration, dependencies: dependencies)
    var replicaServices: [any Service] = []
    if let replica {
        replicaServices = [
            PoolService(database: replica),
            ReplicaMonitor(routing: reads, metrics: dependencies.metrics, logger: Logger(label: "smshub.replica")),
        ]
    }
    var operationsServer: [any Service] = []
    if let operations = built.operations, let listener = configuration.operationsListener {
        operationsServer.append(
            Application(
                router: operations,
                server: configuration.serverLimits.server,
                configuration: configuration.serverLimits.applicationConfiguration(host: listener.host, port: listener.port, operations: true),
                onServerRunning: { channel in
                    logger.notice("smshub operations listening", metadata: ["address": "\(channel.localAddress?.description ?? "?")"])
                },
                logger: logger
            )
        )
    }
    return Application(
        router: built.router,
        server: configuration.serverLimits.server,
        configuration: configuration.serverLimits.applicationConfiguration(host: configuration.host, port: configuration.port),
        services: operationsServer + replicaServices + [
            PoolService(database: database),
            GatewayDispatcher(
                repository: dependencies.dispatch,
                accounts: dependencies.providerAccounts,
                caller: outboundCaller(configuration: configuration, dependencies: dependencies, logger: Logger(label: "smshub.dispatch")),
                keyring: configuration.keyring,
                logger: Logger(label: "smshub.dispatch"),
                limits: configuration.outboundLimits
            ),
            gatewayPoller(configuration: configuration, dependencies: dependencies),
            ExpirySweeper(repository: dependencies.expiry, logger: Logger(label: "smshub.expiry")),
            RetentionSweeper(
                repository: dependencies.retention,
                logger: Logger(label: "smshub.retention"),
                interval: configuration.retentionInterval
            ),
            OutcomeCountFolder(repository: dependencies.outcomeCounts, logger: Logger(label: "smshub.outcome-counts")),
            EventRecipientBackfiller(repository: dependencies.eventRecipients, logger: Logger(label: "smshub.event-recipients")),
            webhookDeliverer(configuration: configuration, dependencies: dependencies),
            WebhookBacklogMonitor(repository: dependencies.webhookDeliveries, logger: Logger(label: "smshub.webhooks")),
        ],
        onServerRunning: { channel in
            logger.notice("smshub listening", metadata: ["address": "\(channel.localAddress?.description ?? "?")"])
        },
        logger: logger
    )
}

/// `smshub serve`: the service until SIGTERM or SIGINT, so the executable needs no HTTP framework.
package func serve(configuration: AppConfiguration, logger: Logger, migrate: Bool) async throws {
    try await buildApplication(configuration: configuration, logger: logger, migrate: migrate).runService()
}

func gatewayPoller(configuration: AppConfiguration, dependencies: AppDependencies) -> GatewayPoller {
    let logger = Logger(label: "smshub.poll")
    return GatewayPoller(
        polls: dependencies.polls,
        accounts: dependencies.providerAccounts,
        events: dependencies.events,
        caller: outboundCaller(configuration: configuration, dependencies: dependencies, logger: logger),
        keyring: configuration.keyring,
        logger: logger,
        limits: configuration.outboundLimits
    )
}

func webhookDeliverer(configuration: AppConfiguration, dependencies: AppDependencies) -> WebhookDeliverer {
    let limits = configuration.webhookLimits
    return WebhookDeliverer(
        repository: dependencies.webhookDeliveries,
        client: WebhookClient(
            egress: configuration.egress,
            names: dependencies.names,
            allowances: dependencies.egressAllowances,
            timeout: configuration.webhookTimeout,
            connectionsPerEndpoint: limits.perEndpoint,
            maxClients: limits.total
        ),
        keyring: configuration.keyring,
        metrics: dependencies.metrics,
        logger: Logger(label: "smshub.webhooks"),
        limits: limits
    )
}

/// Provider calls as configured: egress policy, deadline, and the accounts' circuit breakers.
func outboundCaller(configuration: AppConfiguration, dependencies: AppDependencies, logger: Logger) -> OutboundCaller {
    OutboundCaller(
        client: GatewayClient(
            egress: configuration.egress,
            names: dependencies.names,
            allowances: dependencies.egressAllowances,
            timeout: configuration.outboundTimeout
        ),
        health: dependencies.outboundHealth,
        metrics: dependencies.metrics,
        logger: logger
    )
}

/// `smshub migrate`: applies the migrations bundled in this build; returns the latest version.
package func migrateBundled(url: String, logger: Logger) async throws -> Int {
    let migrator = Migrator(migrations: try Migration.bundled(), logger: logger)
    try await runMigrations(url: url, migrator: migrator)
    return migrator.migrations.last?.version ?? 0
}

package func runMigrations(url: String, migrator: Migrator) async throws {
    try await Database.withSingleConnection(url: url, applicationName: "smshub-migrate") { try await $0.migrate(migrator) }
}

package enum StartupError: Error, CustomStringConvertible {
    case pendingMigrations([Int])
    /// The service role could read every tenant's rows (DATABASE_URL's role; docs/operations.md).
    case roleBypassesTenancy([String])
    /// The open-file limit cannot hold the database pools and a working minimum (`DescriptorBudget`).
    case tooFewOpenFiles(Int, needed: Int)

    package var description: String {
        switch self {
        case .pendingMigrations(let versions):
            "the database is missing migrations \(versions.map(String.init).joined(separator: ", ")); run 'smshub migrate' or start with --migrate"
        case .roleBypassesTenancy(let problems):
            "refusing to serve: DATABASE_URL's role would see every tenant's rows: " + problems.joined(separator: "; ")
        case .tooFewOpenFiles(let limit, let needed):
            "the open-file limit (ulimit -n) is \(limit); the database pools and a working minimum need at least \(needed)"
        }
    }
}

/// Closes the pool once the server has stopped taking requests.
struct PoolService: Service {
    let database: Database

    func run() async throws {
        try? await gracefulShutdown()
        await self.database.close()
    }
}
