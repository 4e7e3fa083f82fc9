import Logging
import ServiceLifecycle

/// The loop of the background services: a pass, then a pause, until shutdown. A failed pass is logged
/// and the next one runs after the pause; a pass cut short by shutdown has not failed. The pause ends
/// at graceful shutdown: a plain sleep held SIGTERM for up to a whole interval (a minute for retention).
func runPasses(every interval: Duration, logger: Logger, failure: Logger.Message, _ pass: () async throws -> Void) async {
    while !Task.isShuttingDownGracefully && !Task.isCancelled {
        do {
            try await pass()
        } catch {
            if Task.isCancelled { break }
            logger.error(failure, metadata: ["error.type": "\(type(of: error))"])
        }
        try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
    }
}
