import Hummingbird
import Logging
import Prometheus
import SmsHubRepository

/// Liveness, readiness and metrics: unauthenticated, for load balancers and Prometheus.
struct OperationsRoutes {
    let database: Database
    let migrator: Migrator
    let metrics: ServiceMetrics

    /// Liveness and readiness, on every listener: load balancers probe the public one.
    func registerHealth(on router: Router<AppRequestContext>) {
        router.get("healthz") { _, _ in Status(status: "ok") }
        router.get("readyz", use: self.ready)
    }

    /// Metrics, on the operations listener when there is one.
    func registerMetrics(on router: Router<AppRequestContext>) {
        router.get("metrics", use: self.exposition)
    }

    struct Status: ResponseEncodable {
        var status: String
    }

    /// Ready or not, and nothing more: it is public, and what is missing (the schema's versions, the
    /// database's address) is the operator's to read in the log.
    @Sendable func ready(request: Request, context: AppRequestContext) async throws -> Status {
        let status: Migrator.Status
        do {
            status = try await self.database.migrationStatus(self.migrator)
        } catch let error where DatabaseFailure.logMetadata(error) != nil {
            context.logger.warning("not ready: database unreachable", metadata: DatabaseFailure.logMetadata(error) ?? [:])
            throw Self.notReady
        } catch let error as MigrationError {
            context.logger.warning("not ready: the database schema does not match this build", metadata: ["error": "\(error)"])
            throw Self.notReady
        }
        guard status.isCurrent else {
            context.logger.warning(
                "not ready: migrations pending",
                metadata: ["pending": "\(status.pending.map(String.init).joined(separator: ","))"]
            )
            throw Self.notReady
        }
        return Status(status: "ready")
    }

    static let notReady = Problem.unavailable("Not ready.")

    @Sendable func exposition(request: Request, context: AppRequestContext) async throws -> Response {
        await self.recordPoolGauges()
        return Response(
            status: .ok,
            headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: self.metrics.exposition()))
        )
    }

    private func recordPoolGauges() async {
        let stats = await self.database.poolStatistics()
        for (state, value) in [("open", stats.open), ("idle", stats.idle), ("waiting", stats.waiting), ("max", stats.max)] {
            self.metrics.registry.makeGauge(
                descriptor: .init(
                    namespace: "smshub",
                    metricName: "db_pool_connections",
                    unitName: "",
                    helpText: "Database pool connections by state"
                ),
                labels: [("state", state)]
            ).set(Double(value))
        }
    }
}
