package import Hummingbird
package import Logging
package import ServiceLifecycle

/// The whole service: configuration fitted to the open-file limit, the databases, the services, the
/// routers and the listeners. `migrate` applies pending migrations first (through the owner
/// connection); otherwise a database behind this build is refused.
package func buildApplication(configuration: AppConfiguration, logger: Logger, migrate: Bool) async throws -> some ApplicationProtocol {
    let (configuration, budget) = try configuration.fitted(openFiles: DescriptorBudget.openFileLimit())
    budget.log(logger)
    let storage = try await Storage.open(configuration, logger: logger, migrate: migrate)
    let services = Services(configuration: configuration, repositories: storage.repositories)
    return buildApplication(services: services, logger: logger, beside: storage.services(metrics: services.metrics))
}

/// The service over repositories already open (tests bring a database of their own): the public
/// listener, the operations listener if configured, and the background services with `others`.
package func buildApplication(
    services: Services,
    logger: Logger,
    beside others: [any Service] = [],
    background: Bool = true
)
    -> some ApplicationProtocol
{
    let configuration = services.configuration
    let built = buildRouter(services: services)
    var listeners: [any Service] = []
    if let operations = built.operations, let listener = configuration.operationsListener {
        listeners.append(
            Application(
                router: operations,
                server: configuration.serverLimits.server,
                configuration: configuration.serverLimits.applicationConfiguration(host: listener.host, port: listener.port, operations: true),
                onServerRunning: { logger.notice("smshub operations listening", metadata: ["address": "\($0.localAddress?.description ?? "?")"]) },
                logger: logger
            )
        )
    }
    return Application(
        router: built.router,
        server: configuration.serverLimits.server,
        configuration: configuration.serverLimits.applicationConfiguration(host: configuration.host, port: configuration.port),
        services: listeners + others + (background ? services.background() : []),
        onServerRunning: { logger.notice("smshub listening", metadata: ["address": "\($0.localAddress?.description ?? "?")"]) },
        logger: logger
    )
}

/// `smshub serve`: the service until SIGTERM or SIGINT, so the executable needs no HTTP framework.
package func serve(configuration: AppConfiguration, logger: Logger, migrate: Bool) async throws {
    try await buildApplication(configuration: configuration, logger: logger, migrate: migrate).runService()
}
