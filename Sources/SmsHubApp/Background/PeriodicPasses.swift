import Logging
import ServiceLifecycle

/// The loop of the background services: a pass, then a pause, until shutdown. A failed pass is logged
/// and the next one runs after the pause; a pass cut short by shutdown has not failed. The pause ends
/// at graceful shutdown: a plain sleep held SIGTERM for up to a whole interval (a minute for retention).
/// A `doorbell` ends a pause early when rung.
func runPasses(
    every interval: Duration,
    doorbell: Doorbell? = nil,
    logger: Logger,
    failure: Logger.Message,
    _ pass: () async throws -> Void
) async {
    while !Task.isShuttingDownGracefully && !Task.isCancelled {
        do {
            try await pass()
        } catch {
            if Task.isCancelled { break }
            logger.error(failure, metadata: ["error.type": "\(type(of: error))"])
        }
        if let doorbell {
            await cancelWhenGracefulShutdown { await doorbell.wait(upTo: interval) }
        } else {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}

/// The slices of one pass: `slice` runs until one does less than a full `batch` (nothing more is
/// waiting), `maxSlices` have run, or graceful shutdown begins. Between slices it rests for what
/// `rest` makes of the slice just run (nothing by default). Returns what the slices did in all.
func runSlices(
    max maxSlices: Int,
    batch: Int,
    rest: (Duration) -> Duration = { _ in .zero },
    _ slice: () async throws -> Int
) async throws -> Int {
    let clock = ContinuousClock()
    var total = 0
    for index in 0..<maxSlices {
        if Task.isShuttingDownGracefully { break }
        let started = clock.now
        let done = try await slice()
        total += done
        if done < batch || index == maxSlices - 1 { break }
        let pause = rest(clock.now - started)
        if pause > .zero { try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) } }
    }
    return total
}
