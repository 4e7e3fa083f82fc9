import Foundation
import Logging
import ServiceLifecycle
import SmsHubDomain

/// Sends queued recipients through the Gateway. Work is claimed in the database (SKIP LOCKED and
/// leases), never assumed local, so several instances can run it against one database.
struct GatewayDispatcher: Service {
    let repository: any DispatchRepository
    let accounts: any ProviderAccountRepository
    let client: GatewayClient
    let keyring: SecretKeyring
    let logger: Logger
    var maxAttempts = 5
    var interval: Duration = .milliseconds(500)
    /// Longer than the client's timeout, so a lease never lapses while its call is still running.
    var lease: Duration = .seconds(60)

    /// Backoff before attempt `n + 1`: 1 s, 2 s, 4 s … capped at 5 minutes.
    static func backoff(afterAttempt attempts: Int) -> TimeInterval {
        min(300, pow(2, Double(max(0, attempts - 1))))
    }

    /// One pass over every tenant with work. Returns the number of tasks it called the gateway for.
    @discardableResult
    func runOnce() async throws -> Int {
        var called = 0
        for tenantID in try await self.repository.tenantsWithWork() {
            _ = try await self.repository.plan(tenantID: tenantID, maxPerTask: GatewayAPI.maxMobilesPerSend, limit: 50_000)
            for task in try await self.repository.claim(tenantID: tenantID, limit: 20, lease: self.lease) {
                try await self.repository.complete(task, outcome: await self.send(task))
                called += 1
            }
        }
        return called
    }

    func send(_ task: DispatchTask) async -> DispatchOutcome {
        let endpoint: GatewayEndpoint
        do {
            guard let found = try await GatewayEndpoint.load(tenantID: task.tenantID, accountID: task.accountID, accounts: self.accounts, keyring: self.keyring) else {
                return .gaveUp(reason: "the provider account no longer exists")
            }
            endpoint = found
        } catch {
            return self.retryOrGiveUp(task, reason: "cannot read the account's credentials: \(error)")
        }
        let request = GatewayAPI.SendRequest(taskID: task.id.uuidString.lowercased(), mobiles: task.mobiles, content: task.content, extNo: task.extNo)
        do {
            let envelope = try await self.client.call(baseURL: endpoint.baseURL, .send, credentials: endpoint.credentials, send: request)
            if envelope.isSuccess { return .accepted }
            self.logger.notice("gateway refused a task", metadata: ["task_id": "\(task.id.uuidString.lowercased())", "code": "\(envelope.code)"])
            return .refused(code: envelope.code, message: envelope.message ?? "")
        } catch let failure as GatewayClient.Failure {
            guard failure.isRetryable else {
                return .refused(code: "invalid_response", message: failure.description)
            }
            self.logger.warning("gateway call failed; will retry with the same task id", metadata: ["task_id": "\(task.id.uuidString.lowercased())", "attempt": "\(task.attempts)", "reason": "\(failure)"])
            return self.retryOrGiveUp(task, reason: failure.description)
        } catch {
            return self.retryOrGiveUp(task, reason: "\(error)")
        }
    }

    func retryOrGiveUp(_ task: DispatchTask, reason: String) -> DispatchOutcome {
        guard task.attempts < self.maxAttempts else {
            return .gaveUp(reason: "no answer from the gateway after \(task.attempts) attempts (last: \(reason))")
        }
        return .retry(reason: reason, retryAt: Date().addingTimeInterval(Self.backoff(afterAttempt: task.attempts)))
    }

    func run() async throws {
        await runPasses(every: self.interval, logger: self.logger, failure: "dispatch pass failed") { try await self.runOnce() }
    }
}
