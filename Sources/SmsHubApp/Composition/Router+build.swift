package import Hummingbird
import Logging
import SmsHubDomain
import SmsHubRepository

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

package func buildRouter(services: Services) -> BuiltRouter {
    let configuration = services.configuration
    let repositories = services.repositories
    let router = makeRouter(metrics: services.metrics)
    // Metrics and the admin API go to the operations listener when there is one, so a deployment can
    // expose callbacks and the tenant API without them.
    let operations = configuration.operationsListener == nil ? nil : makeRouter(metrics: services.metrics)
    let operational = operations ?? router

    let health = OperationsRoutes(database: repositories.database, migrator: repositories.migrator, metrics: services.metrics)
    health.registerHealth(on: router)
    if let operations { health.registerHealth(on: operations) }
    health.registerMetrics(on: operational)

    let ingest = IngestCallback(accounts: services.accounts, events: repositories.events, intake: services.batcher, keyring: configuration.keyring)
    CallbackRoutes(ingest: ingest, metrics: services.metrics, limiter: services.limiter).register(on: router)

    let admin = operational.group("admin").add(middleware: AdminAuthMiddleware(adminToken: configuration.adminToken, limiter: services.limiter))
    AdminRoutes(tenants: repositories.tenants, keys: repositories.keys, cursors: services.cursors).register(on: admin)
    EgressAllowanceRoutes(repository: repositories.egressAllowances, cache: services.egressAllowances).register(on: admin)

    let tenantAPI = router.group("v1")
        .add(middleware: TenantAuthMiddleware(keys: repositories.keys, limiter: services.limiter))
        .group(context: TenantRequestContext.self)
    TenantRoutes(tenants: repositories.tenantSelf).register(on: tenantAPI)
    ProviderAccountRoutes(
        accounts: services.accounts,
        keyring: configuration.keyring,
        publicBaseURL: configuration.publicBaseURL,
        cursors: services.cursors,
        egress: services.egress,
        health: repositories.outboundHealth
    )
    .register(on: tenantAPI)
    MessageRoutes(messages: repositories.messages, accounts: services.accounts, routes: repositories.routes, templates: repositories.templates)
        .register(on: tenantAPI)
    SendRouteRoutes(routes: repositories.routes, accounts: services.accounts).register(on: tenantAPI)
    TemplateRoutes(templates: repositories.templates, accounts: services.accounts).register(on: tenantAPI)
    // The list is read where it is written: a send checks it there, so a tenant must see the same.
    OptOutRoutes(optOuts: repositories.optOuts, cursors: services.cursors).register(on: tenantAPI)
    SendRulesRoutes(rules: repositories.sendRules).register(on: tenantAPI)
    // Lists and the summary read where `reads` sends them; one resource by id, which a caller may ask
    // for right after creating it or hearing of it by webhook, reads the primary.
    MessageQueryRoutes(queries: repositories.lists, cursors: services.cursors).register(on: tenantAPI)
    RecipientRoutes(queries: repositories.queries).register(on: tenantAPI)
    StatusEventRoutes(queries: repositories.lists, cursors: services.cursors).register(on: tenantAPI)
    ReplyRoutes(lists: repositories.lists, queries: repositories.queries, cursors: services.cursors).register(on: tenantAPI)
    ReviewEventRoutes(queries: repositories.lists, cursors: services.cursors).register(on: tenantAPI)
    SummaryRoutes(queries: repositories.lists).register(on: tenantAPI)
    WebhookEndpointRoutes(
        endpoints: repositories.webhookEndpoints,
        keyring: configuration.keyring,
        egress: services.egress,
        cursors: services.cursors,
        limiter: services.limiter
    )
    .register(on: tenantAPI)
    let balances = ProviderBalanceReader(
        gateway: services.poller,
        accounts: repositories.providerAccounts,
        polls: repositories.polls,
        keyring: configuration.keyring,
        caller: services.caller
    )
    let refresh = RefreshBalance(accounts: repositories.providerAccounts, source: balances)
    BalanceRoutes(refresh: refresh, queries: repositories.lists, cursors: services.cursors).register(on: tenantAPI)

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
