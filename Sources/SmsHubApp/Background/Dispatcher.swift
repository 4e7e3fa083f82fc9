import Foundation
import Logging
import ServiceLifecycle
import SmsHubDomain

/// Sends queued recipients through their accounts: the Gateway, whose tasks retry under the same
/// taskId, and SUBMAIL, Huawei and EngageLab, called at most once per recipient and account
/// (`Dispatcher+Providers.swift`, decision 0019). Work is claimed in the database (SKIP LOCKED and
/// fenced leases), never assumed local, so several instances can run it against one database.
/// Calls run concurrently within `OutboundLimits`, so a slow or hanging gateway holds only its own
/// account's slots, and each pass starts with another tenant.
struct Dispatcher: Service {
    let repository: any DispatchRepository
    let accounts: any ProviderAccountRepository
    let caller: OutboundCaller
    let keyring: SecretKeyring
    let logger: Logger
    var maxAttempts = 5
    var interval: Duration = .milliseconds(500)
    var limits = OutboundLimits()
    /// Renewed every third of itself while a call runs, so only a stopped instance loses it.
    var lease: Duration = .seconds(30)
    /// This instance, as the lease owner.
    let owner = UUID()
    /// Where the hub takes callbacks, for the Huawei calls that name their status callback.
    var publicBaseURL = ""

    /// Backoff before attempt `n + 1`: 1 s, 2 s, 4 s … capped at 5 minutes.
    static func backoff(afterAttempt attempts: Int) -> TimeInterval {
        min(300, pow(2, Double(min(max(0, attempts - 1), 16))))
    }

    /// One pass: claims what the limits allow and runs those calls to the end. Returns how many tasks
    /// it called the gateway for.
    @discardableResult
    func runOnce() async throws -> Int {
        let slots = OutboundSlots(self.limits)
        let tasks = try await self.claimRound(slots)
        await withTaskGroup(of: Void.self) { group in
            for task in tasks {
                group.addTask { await self.execute(task) }
            }
        }
        return tasks.count
    }

    /// Plans and claims, tenant by tenant from a rotating start, as many tasks as free slots allow. A
    /// tenant whose planning or claim fails is skipped for this pass; what was claimed is returned.
    func claimRound(_ slots: OutboundSlots) async throws -> [DispatchTask] {
        var claimed: [DispatchTask] = []
        for tenantID in await slots.rotated(try await self.repository.tenantsWithWork()) {
            let free = await slots.free(for: tenantID)
            guard free > 0 else { continue }
            do {
                _ = try await self.repository.plan(tenantID: tenantID, maxPerTask: GatewayAPI.maxMobilesPerSend, limit: 50_000)
                let tasks = try await self.repository.claim(
                    tenantID: tenantID,
                    limit: free,
                    perAccount: self.limits.perAccount,
                    lease: self.lease,
                    owner: self.owner
                )
                await slots.take(tenantID, tasks.count)
                claimed += tasks
            } catch {
                self.logger.error(
                    "dispatch planning failed for a tenant",
                    metadata: ["tenant_id": "\(tenantID.apiString)", "error.type": "\(type(of: error))"]
                )
            }
        }
        return claimed
    }

    /// Calls the gateway for one claimed task under its lease, and records the outcome if the lease is
    /// still the task's. A resumed instance whose lease was taken over stops before calling.
    func execute(_ task: DispatchTask) async {
        let id = task.id.apiString
        do {
            guard try await self.repository.renew(task, lease: self.lease) else {
                self.logger.notice("task taken over by another claim; not calling", metadata: ["task_id": "\(id)", "attempt": "\(task.attempts)"])
                return
            }
            let outcome = await self.whileRenewing(task) {
                task.provider == .gateway ? await self.send(task) : await self.sendThroughProvider(task)
            }
            guard try await self.repository.complete(task, outcome: outcome) else {
                self.caller.metrics.recordStaleDispatchOutcome()
                self.logger.warning(
                    "lease lost during the call; its outcome is discarded",
                    metadata: ["task_id": "\(id)", "attempt": "\(task.attempts)", "outcome": "\(outcome)"]
                )
                return
            }
        } catch {
            // The lease lapses and another pass retries the task with the same id.
            self.logger.error("dispatch bookkeeping failed", metadata: ["task_id": "\(id)", "error.type": "\(type(of: error))"])
        }
    }

    /// Runs `body` while renewing `task`'s lease every third of its length.
    func whileRenewing(_ task: DispatchTask, _ body: @escaping @Sendable () async -> DispatchOutcome) async -> DispatchOutcome {
        async let outcome = body()
        let renewer = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: self.lease / 3)
                guard !Task.isCancelled, (try? await self.repository.renew(task, lease: self.lease)) == true else { return }
            }
        }
        let result = await outcome
        renewer.cancel()
        return result
    }

    func send(_ task: DispatchTask) async -> DispatchOutcome {
        let endpoint: GatewayEndpoint
        do {
            guard
                let found = try await GatewayEndpoint.load(
                    tenantID: task.tenantID,
                    accountID: task.accountID,
                    accounts: self.accounts,
                    keyring: self.keyring
                )
            else {
                return .gaveUp(reason: "the provider account no longer exists")
            }
            endpoint = found
        } catch {
            return self.retryOrGiveUp(task, reason: "the account's credentials cannot be opened")
        }
        let id = task.id.apiString
        let request = GatewayAPI.SendRequest(taskID: id, mobiles: task.numbers.map(GatewayNumber.outgoing), content: task.content, extNo: task.extNo)
        do {
            let envelope = try await self.caller.call(
                tenantID: task.tenantID,
                accountID: task.accountID,
                baseURL: endpoint.baseURL,
                .send,
                credentials: endpoint.credentials,
                send: request
            )
            if envelope.isSuccess { return .accepted() }
            let code = Self.refusalCode(envelope.code)
            // Only a call that may have reached the gateway is retried, so a refusal of a retry may be
            // its answer to a task id it has seen (the seed says ids are unique, not what a repeat
            // gets): the recipients are submitted and their reports, or their absence, settle them.
            if task.attempts > 1 {
                self.logger.notice(
                    "gateway refused a retried task; taken as a repeat of an accepted one",
                    metadata: ["task_id": "\(id)", "code": "\(code)"]
                )
                return .accepted(repeatOf: code)
            }
            self.logger.notice("gateway refused a task", metadata: ["task_id": "\(id)", "code": "\(code)"])
            return .refused(code: code, message: "the gateway refused the task (code \(code))")
        } catch {
            guard error.isRetryable else {
                return .refused(code: error.outbound.rawValue, message: error.description)
            }
            self.logger.warning(
                "gateway call failed; will retry with the same task id",
                metadata: ["task_id": "\(id)", "attempt": "\(task.attempts)", "reason": "\(error.outbound.rawValue)"]
            )
            return self.retryOrGiveUp(task, reason: error.description)
        }
    }

    /// The gateway's codes are two digits; anything else is kept only as far as it is short and plain.
    static func refusalCode(_ code: String) -> String {
        guard !code.isEmpty, code.utf8.count <= 16,
            code.utf8.allSatisfy({ $0 < 0x80 && (Character(Unicode.Scalar($0)).isLetter || Character(Unicode.Scalar($0)).isNumber) })
        else {
            return "refused"
        }
        return code
    }

    func retryOrGiveUp(_ task: DispatchTask, reason: String) -> DispatchOutcome {
        guard task.attempts < self.maxAttempts else {
            return .gaveUp(reason: "no answer from the gateway after \(task.attempts) attempts (last: \(reason))")
        }
        return .retry(reason: reason, retryAt: Date().addingTimeInterval(Self.backoff(afterAttempt: task.attempts)))
    }

    func run() async throws {
        let slots = OutboundSlots(self.limits)
        // A finished call frees a slot: claim again then, not at the next pass, or an account's
        // throughput is capped at its slots' tasks per interval (EngageLab: 4 × 10 numbers per 500 ms).
        let doorbell = Doorbell()
        await withDiscardingTaskGroup { group in
            await runPasses(every: self.interval, doorbell: doorbell, logger: self.logger, failure: "dispatch pass failed") {
                for task in try await self.claimRound(slots) {
                    group.addTask {
                        await self.execute(task)
                        await slots.release(task.tenantID)
                        await doorbell.ring()
                    }
                }
            }
        }
    }
}
