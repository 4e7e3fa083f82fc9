import Hummingbird
import HummingbirdTesting
import Logging
import SmsHubSimulator
import Testing

/// The simulator (the Gateway, the three send APIs) and its webhook receivers on a loopback port of their own, for the length of
/// `body`, which gets their base URL (`http://127.0.0.1:<port>`).
func withLiveSimulator<R: Sendable>(
    _ simulator: GatewaySimulator,
    senders: SendSimulator = SendSimulator(),
    webhooks: WebhookReceiver = WebhookReceiver(),
    logLevel: Logger.Level = .warning,
    _ body: @Sendable (String) async throws -> R
) async throws -> R {
    var logger = Logger(label: "sim")
    logger.logLevel = logLevel
    let sim = Application(
        router: buildSimulatorRouter(simulator, senders: senders, webhooks: webhooks),
        configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        logger: logger
    )
    return try await sim.live { client in try await body("http://127.0.0.1:\(try #require(client.port))") }
}
