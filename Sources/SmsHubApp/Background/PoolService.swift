import ServiceLifecycle
import SmsHubRepository

/// Closes the pool once the server has stopped taking requests.
struct PoolService: Service {
    let database: Database

    func run() async throws {
        try? await gracefulShutdown()
        await self.database.close()
    }
}
