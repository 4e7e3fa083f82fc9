import Hummingbird
import HummingbirdTesting
import Logging
import SmsHubSimulator
import Testing

/// The Gateway simulator and its webhook receivers on a loopback port of their own, for the length of
/// `body`, which gets their base URL (`http://127.0.0.1:<port>`).
func withLiveSimulator<R: Sendable>(
    _ simulator: GatewaySimulator,
    webhooks: WebhookReceiver = WebhookReceiver(),
    logLevel: Logger.Level = .warning,
    _ body: @Sendable (String) async throws -> R
) async throws -> R {
    var logger = Logger(label: "sim")
    logger.logLevel = logLevel
    let sim = Application(
        router: buildSimulatorRouter(simulator, webhooks: webhooks),
        configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        logger: logger
    )
    return try await sim.live { client in try await body("http://127.0.0.1:\(try #require(client.port))") }
}
