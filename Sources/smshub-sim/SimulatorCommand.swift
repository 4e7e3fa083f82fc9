import ArgumentParser
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import SmsHubSimulator

@main
enum Entry {
    static func main() async {
        // Tasks run on NIO's event loops: no thread switch between a request's I/O and its handler.
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        await SimulatorCommand.main()
    }
}

/// `smshub-sim`: a Gateway API v1 simulator for tests and the local demo.
struct SimulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "smshub-sim", abstract: "Simulated SMS Gateway API v1.")

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on.") var port = 9090
    @Option(help: "An account as name:password:balance (repeatable).") var account: [String] = ["demo:demo-password:100000"]
    @Option(help: "Refuse a repeated taskId with this code instead of acknowledging it again.") var repeatedTaskCode: String?

    func run() async throws {
        let accounts = try self.account.map { text -> (String, String, Int) in
            let parts = text.split(separator: ":", maxSplits: 2).map(String.init)
            guard parts.count == 3, let balance = Int(parts[2]) else { throw ValidationError("--account must be name:password:balance") }
            return (parts[0], parts[1], balance)
        }
        let simulator = GatewaySimulator(accounts: accounts.map { (name: $0.0, password: $0.1, balance: $0.2) })
        if let code = self.repeatedTaskCode { await simulator.answerRepeatedTasks(.refuse(code: code)) }
        let app = Application(
            router: buildSimulatorRouter(simulator),
            configuration: .init(address: .hostname(self.host, port: self.port), serverName: "smshub-sim"),
            logger: Logger(label: "smshub-sim")
        )
        try await app.runService()
    }
}
