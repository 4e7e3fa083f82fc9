import Foundation
package import Postgres

/// Every wait a test makes as a client, in one place. They bound a hang, never a speed: on a slow,
/// busy machine (three times slower some days, with both cores taken) a request that takes a
/// second on a quiet day takes ten, so each is far longer than anything should take.
/// `SMSHUB_TEST_TIME_SCALE` multiplies them all (docs/architecture.md, testing).
package enum TestTimeouts {
    package static let scale: Double = {
        guard let text = ProcessInfo.processInfo.environment["SMSHUB_TEST_TIME_SCALE"], let value = Double(text),
            value.isFinite, value >= 0.1, value <= 100
        else { return 1 }
        return value
    }()

    /// One HTTP request from a test to a server it started, answer included.
    package static var request: Duration { scaled(.seconds(180)) }
    /// Connecting to the test cluster (libpq's `connect_timeout`).
    package static var databaseConnectSeconds: Int { Int((60 * scale).rounded(.up)) }
    /// A test's wait for a free connection of its own pool.
    package static var poolAcquire: Duration { scaled(.seconds(120)) }
    /// A condition a test waits for (`eventually`): work in the background to be done.
    package static var condition: Duration { scaled(.seconds(120)) }
    /// A server or child process to start listening.
    package static var start: Duration { scaled(.seconds(120)) }
    /// A call the service under test makes to a peer the test runs (the simulator, a receiver),
    /// where that deadline is not what the test is about.
    package static var outboundCall: Duration { scaled(.seconds(60)) }

    static func scaled(_ duration: Duration) -> Duration { duration * scale }

    /// A wait as the service's `*_MS` settings take it, within their 60 s ceiling.
    package static func milliseconds(_ duration: Duration) -> String {
        String(min(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000, 60_000))
    }
}

extension PGConfiguration {
    /// A pool for a test's own use (inspecting, seeding, writing beside the service), with the
    /// suite's connect and acquire deadlines.
    package static func test(url: String, maxConnections: Int = 2, applicationName: String = "smshub-test") -> PGConfiguration {
        PGConfiguration(
            url: url,
            maxConnections: maxConnections,
            acquireTimeout: TestTimeouts.poolAcquire,
            connectTimeoutSeconds: TestTimeouts.databaseConnectSeconds,
            applicationName: applicationName
        )
    }
}
