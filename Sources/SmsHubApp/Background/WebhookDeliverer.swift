import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import SmsHubDomain
import Synchronization

/// Delivers webhook events to tenants' endpoints, at least once. Work is claimed in the database
/// (SKIP LOCKED, fenced leases), so several instances share it and never send one delivery twice at
/// once. Each endpoint is worked by one task per instance, bounded in connections; tenants take turns
/// for the instance's endpoint workers, and no tenant holds more than its share of them, so a dead or
/// slow endpoint delays only its own deliveries (docs/webhooks.md).
struct WebhookDeliverer: Service {
    let repository: any WebhookDeliveryRepository
    let client: WebhookClient
    let keyring: SecretKeyring
    let metrics: ServiceMetrics
    let logger: Logger
    var limits = Limits()
    var interval: Duration = .milliseconds(200)
    /// Jitter in -1...1 for each retry's wait (fixed in tests).
    var jitter: @Sendable () -> Double = { Double.random(in: -1...1) }
    /// When attempts happen and which retries are due (set in tests).
    var clock = WallClock.system
    let owner = UUID()

    struct Limits: Sendable {
        /// Endpoint workers per instance.
        var total = 32
        /// Endpoint workers one tenant may hold at once.
        var perTenant = 4
        /// Concurrent attempts per endpoint (and its connections).
        var perEndpoint = 16
        /// Deliveries claimed at once per endpoint.
        var batch = 64
        var disableAfter: Duration = WebhookEndpointRules.disableAfter
    }

    /// Endpoint workers running in this instance, by endpoint and tenant.
    final class Busy: Sendable {
        struct State {
            var endpoints: Set<UUID> = []
            var tenants: [UUID: Int] = [:]
            var rotation = 0
        }
        let state = Mutex(State())

        func take(tenant: UUID, endpoint: UUID, limits: Limits) -> Bool {
            self.state.withLock { state in
                guard state.endpoints.count < limits.total, state.tenants[tenant, default: 0] < limits.perTenant,
                    !state.endpoints.contains(endpoint)
                else { return false }
                state.endpoints.insert(endpoint)
                state.tenants[tenant, default: 0] += 1
                return true
            }
        }

        func release(tenant: UUID, endpoint: UUID) {
            self.state.withLock { state in
                state.endpoints.remove(endpoint)
                state.tenants[tenant, default: 1] -= 1
                if state.tenants[tenant] == 0 { state.tenants[tenant] = nil }
            }
        }

        /// Tenants from a start that moves on each pass.
        func rotated(_ tenants: [UUID]) -> [UUID] {
            guard !tenants.isEmpty else { return [] }
            let start = self.state.withLock { state in
                state.rotation &+= 1
                return state.rotation % tenants.count
            }
            return Array(tenants[start...] + tenants[..<start])
        }
    }

    /// Longer than a batch can take, counted from its claim: it waits for the batch before it to be
    /// sent, then is sent itself, `perEndpoint` attempts at a time, each within the deadline.
    var lease: Duration {
        let rounds = (self.limits.batch + self.limits.perEndpoint - 1) / max(1, self.limits.perEndpoint)
        return self.client.timeout * (2 * rounds) + .seconds(10)
    }

    /// Starts a worker for every due endpoint the limits allow, tenants in rotating order. Returns
    /// the workers started; each runs in `group` until its endpoint has nothing due.
    func startRound(_ busy: Busy, _ spawn: (UUID, WebhookTarget) -> Void) async throws {
        let now = self.clock.now()
        for tenantID in busy.rotated(try await self.repository.tenantsWithWork(dueBy: now)) {
            let targets: [WebhookTarget]
            do {
                targets = try await self.repository.dueEndpoints(tenantID: tenantID, dueBy: now)
            } catch {
                self.logger.error(
                    "listing webhook endpoints failed",
                    metadata: ["tenant.id": "\(tenantID.apiString)", "error.type": "\(type(of: error))"]
                )
                continue
            }
            for target in targets where busy.take(tenant: tenantID, endpoint: target.endpointID, limits: self.limits) {
                spawn(tenantID, target)
            }
        }
    }

    /// One pass to the end: every due endpoint worked until nothing is due (tests).
    @discardableResult
    func runOnce() async throws -> Int {
        let busy = Busy()
        var started: [(UUID, WebhookTarget)] = []
        try await self.startRound(busy) { started.append(($0, $1)) }
        return await withTaskGroup(of: Int.self) { group in
            for (tenantID, target) in started {
                group.addTask {
                    defer { busy.release(tenant: tenantID, endpoint: target.endpointID) }
                    return await self.work(tenantID: tenantID, target: target)
                }
            }
            var delivered = 0
            for await count in group { delivered += count }
            return delivered
        }
    }

    func run() async throws {
        let busy = Busy()
        await withDiscardingTaskGroup { group in
            await runPasses(every: self.interval, logger: self.logger, failure: "webhook pass failed") {
                try await self.startRound(busy) { tenantID, target in
                    group.addTask {
                        defer { busy.release(tenant: tenantID, endpoint: target.endpointID) }
                        _ = await self.work(tenantID: tenantID, target: target)
                    }
                }
            }
        }
        await self.client.shutdown()
    }

    /// Claims and delivers one endpoint's due deliveries, batch after batch, while full batches come
    /// (at most a minute, then the endpoint goes back in the queue behind the others). Returns the
    /// attempts recorded.
    func work(tenantID: UUID, target: WebhookTarget) async -> Int {
        let started = ContinuousClock.now
        var recorded = 0
        let secrets: [WebhookSecret]
        do {
            let signing = try self.keyring.open(target.secrets, tenantID: tenantID, endpointID: target.endpointID)
            secrets = signing.signing(at: self.clock.now(), previousUntil: target.previousSecretUntil)
        } catch {
            // Without its secret nothing can be signed; the attempts say why, and retry on schedule.
            self.logger.error("webhook secret cannot be opened", metadata: ["endpoint.id": "\(target.endpointID.apiString)"])
            return await self.failBatch(tenantID: tenantID, target: target, reason: .unsigned)
        }
        // While a batch is sent, the next one is claimed and the one before is written, so the
        // endpoint's connections do not wait on the database between batches.
        var writing: Task<Int, Never>?
        var streak = EndpointStreak(failing: target.failing)
        var next: Task<[ClaimedWebhookDelivery]?, Never>? = Task { await self.claim(tenantID: tenantID, target: target) }
        while let claiming = next {
            guard let batch = await claiming.value, !batch.isEmpty else { break }
            // A claimed batch is always sent, even past the minute: its leases would otherwise hold
            // it back for their whole length.
            let more = batch.count == self.limits.batch && ContinuousClock.now - started < .seconds(60) && !Task.isCancelled
            next = more ? Task { await self.claim(tenantID: tenantID, target: target) } : nil
            let outcomes = await self.deliver(batch, tenantID: tenantID, target: target, secrets: secrets)
            recorded += await writing?.value ?? 0
            let touch = streak.needsWrite(outcomes)
            writing = Task { await self.record(tenantID: tenantID, target: target, outcomes, touchEndpoint: touch) }
        }
        return recorded + (await writing?.value ?? 0)
    }

    private func claim(tenantID: UUID, target: WebhookTarget) async -> [ClaimedWebhookDelivery]? {
        do {
            return try await self.repository.claim(
                tenantID: tenantID,
                endpointID: target.endpointID,
                dueBy: self.clock.now(),
                limit: self.limits.batch,
                lease: self.lease,
                owner: self.owner
            )
        } catch {
            self.logger.error("claiming webhook deliveries failed", metadata: ["error.type": "\(type(of: error))"])
            return nil
        }
    }

    /// Whether a batch changes the endpoint's failure streak, so the endpoint row need not be
    /// rewritten for every batch of a healthy endpoint (only once a minute, for `last_success_at`).
    struct EndpointStreak {
        var failing: Bool
        var lastWrite: ContinuousClock.Instant?

        mutating func needsWrite(_ outcomes: [WebhookAttemptOutcome]) -> Bool {
            let anyFailure = outcomes.contains { !$0.delivered }
            let anySuccess = outcomes.contains { $0.delivered }
            let now = ContinuousClock.now
            let stale = self.lastWrite.map { now - $0 > .seconds(60) } ?? true
            let write = anyFailure || (anySuccess && (self.failing || stale))
            if write { self.lastWrite = now }
            if anySuccess { self.failing = false } else if anyFailure { self.failing = true }
            return write
        }
    }

    /// Sends a batch, `perEndpoint` attempts at a time, through the endpoint's client.
    func deliver(_ batch: [ClaimedWebhookDelivery], tenantID: UUID, target: WebhookTarget, secrets: [WebhookSecret]) async -> [WebhookAttemptOutcome]
    {
        let connection: WebhookClient.Connection
        switch await self.client.client(tenantID: tenantID, endpointID: target.endpointID, url: target.url) {
        case .success(let c): connection = c
        case .failure(let refusal):
            let now = self.clock.now()
            let failure: WebhookFailure = refusal == .lookupFailed ? .lookupFailed : .egressRefused
            return batch.map { self.outcome($0, at: now, attempt: WebhookClient.Attempt(latencyMilliseconds: 0, error: failure.description)) }
        }
        let sent = await WebhookAttemptWindow.send(
            batch.count,
            with: connection.client,
            to: target.url,
            timeout: TimeAmount(self.client.timeout),
            window: self.limits.perEndpoint,
            clock: self.clock
        ) { index, now in
            let delivery = batch[index]
            let body = WebhookPayload.body(type: delivery.eventType, occurredAt: delivery.occurredAt, data: delivery.data)
            let id = WebhookPayload.id(delivery.eventID)
            let timestamp = Int64(now.timeIntervalSince1970.rounded(.down))
            let headers = [
                ("webhook-id", id),
                ("webhook-timestamp", String(timestamp)),
                ("webhook-signature", WebhookSignature.header(id: id, timestamp: timestamp, body: body, secrets: secrets)),
            ]
            return (body, headers)
        }
        await self.client.done(connection)
        return zip(batch, sent).map { delivery, sent in
            var attempt = sent.attempt
            // An address reached only through an allow list is not the tenant's to read back.
            if !connection.isPublic { attempt.responseExcerpt = nil }
            return self.outcome(delivery, at: sent.at, attempt: attempt)
        }
    }

    func outcome(_ delivery: ClaimedWebhookDelivery, at time: Date, attempt: WebhookClient.Attempt) -> WebhookAttemptOutcome {
        let delivered = attempt.statusCode.map { (200..<300).contains($0) } ?? false
        let wait = delivered ? nil : WebhookRetrySchedule.wait(afterAttempts: delivery.attempt, jitter: self.jitter())
        return WebhookAttemptOutcome(
            delivery: delivery,
            attemptedAt: time,
            statusCode: attempt.statusCode,
            latencyMilliseconds: attempt.latencyMilliseconds,
            responseExcerpt: attempt.responseExcerpt,
            error: attempt.error,
            retryAt: wait.map { time.addingTimeInterval($0.inSeconds) }
        )
    }

    /// Writes a batch's outcomes; counts them in the metrics. Returns how many were written.
    func record(tenantID: UUID, target: WebhookTarget, _ outcomes: [WebhookAttemptOutcome], touchEndpoint: Bool = true) async -> Int {
        do {
            let disabled = try await self.repository.record(
                tenantID: tenantID,
                endpointID: target.endpointID,
                outcomes: outcomes,
                touchEndpoint: touchEndpoint,
                disableAfter: self.limits.disableAfter
            )
            for outcome in outcomes {
                let kind =
                    outcome.delivered ? "delivered" : outcome.statusCode != nil ? "http_error" : outcome.retryAt == nil ? "gave_up" : "no_answer"
                self.metrics.recordWebhookAttempt(outcome: kind)
            }
            if disabled {
                self.metrics.recordWebhookEndpointDisabled()
                self.logger.warning("webhook endpoint disabled after failing for days", metadata: ["endpoint.id": "\(target.endpointID.apiString)"])
            }
            return outcomes.count
        } catch {
            // The leases lapse and the deliveries are claimed again: at least once, not at most.
            self.logger.error("recording webhook attempts failed", metadata: ["error.type": "\(type(of: error))"])
            return 0
        }
    }

    /// Claims a batch only to record that it could not be signed.
    private func failBatch(tenantID: UUID, target: WebhookTarget, reason: WebhookFailure) async -> Int {
        guard let batch = await self.claim(tenantID: tenantID, target: target) else { return 0 }
        let now = self.clock.now()
        let outcomes = batch.map { self.outcome($0, at: now, attempt: WebhookClient.Attempt(latencyMilliseconds: 0, error: reason.description)) }
        return await self.record(tenantID: tenantID, target: target, outcomes)
    }
}
