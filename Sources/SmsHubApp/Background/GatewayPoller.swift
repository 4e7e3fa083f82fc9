import Foundation
import Logging
import ServiceLifecycle
import SmsHubDomain
import SmsHubRepository

/// Pulls statuses, replies and balances from every active Gateway account on a schedule. Pushes are
/// sent once and lost if the service is down; these pulls are the safety net (docs/providers.md §1.5).
/// It reads SUBMAIL's and EngageLab's balances on the same schedule, through `providerBalances`.
/// Each (account, kind) is leased in the database, so with several instances one polls it at a time;
/// polls run concurrently within `OutboundLimits`, so one hanging gateway delays only its own polls.
struct GatewayPoller: Service, BalanceSource {
    let polls: any PollRepository
    let accounts: any ProviderAccountRepository
    let events: any EventStore
    let caller: OutboundCaller
    let keyring: SecretKeyring
    let logger: Logger
    var intervals: [PollKind: Duration] = [.report: .seconds(5), .mo: .seconds(5), .balance: .seconds(300)]
    /// Longer than a call's deadline plus storing what it pulled.
    var lease: Duration = .seconds(60)
    var tick: Duration = .seconds(1)
    var limits = OutboundLimits()
    /// Reads SUBMAIL and EngageLab balances (and records them, so `balance.below_threshold` fires).
    var providerBalances: (any BalanceSource)?

    enum PollError: Error, CustomStringConvertible {
        case notGateway
        /// The gateway answered with a code other than "00" (its message is not repeated).
        case refused(code: String)
        case gateway(String)

        var description: String {
            switch self {
            case .notGateway: "not a gateway account"
            case .refused(let code): "the gateway refused the call (code \(code))"
            case .gateway(let why): why
            }
        }
    }

    /// One pass: every due (account, kind) whose lease this instance gets, polled concurrently; waits
    /// for them. Returns the polls that succeeded.
    @discardableResult
    func runOnce() async throws -> Int {
        let slots = OutboundSlots(self.limits)
        let started = await self.startRound(slots)
        return await withTaskGroup(of: Bool.self) { group in
            for poll in started {
                group.addTask { await self.pollAndRelease(poll) }
            }
            var polled = 0
            for await ok in group where ok { polled += 1 }
            return polled
        }
    }

    struct Due: Sendable {
        var tenantID: UUID
        var accountID: UUID
        var kind: PollKind
        /// A SUBMAIL or EngageLab account's balance, read through `providerBalances`.
        var provider = false
    }

    /// Leases every due poll the slots allow, tenants in rotating order (the Gateway's pulls, then
    /// SUBMAIL's and EngageLab's balances). A database error ends the round early but never loses a
    /// poll already leased (its slot is held until it has run).
    func startRound(_ slots: OutboundSlots) async -> [Due] {
        var started: [Due] = []
        do {
            for kind in PollKind.allCases {
                let every = self.intervals[kind] ?? .seconds(5)
                let listed = try await self.polls.due(kind: kind, every: every)
                try await self.lease(listed, kind: kind, every: every, provider: false, slots: slots, into: &started)
            }
            if self.providerBalances != nil {
                let every = self.intervals[.balance] ?? .seconds(300)
                let listed = try await self.polls.providerBalancesDue(every: every)
                try await self.lease(listed, kind: .balance, every: every, provider: true, slots: slots, into: &started)
            }
        } catch {
            self.logger.error("poll round cut short", metadata: ["error.type": "\(type(of: error))", "started": "\(started.count)"])
        }
        return started
    }

    /// Takes a slot and the lease of each listed account the slots allow, appending each to `started`
    /// as it is leased, so an error part-way loses none already taken.
    private func lease(
        _ listed: [(tenantID: UUID, accountID: UUID)],
        kind: PollKind,
        every: Duration,
        provider: Bool,
        slots: OutboundSlots,
        into started: inout [Due]
    ) async throws {
        for due in await slots.rotated(listed) {
            guard await slots.tryTake(due.tenantID) else { continue }
            // Re-checked while taking the lease: another instance may have polled since the listing.
            let leased: Bool
            do {
                leased = try await self.polls.acquire(tenantID: due.tenantID, accountID: due.accountID, kind: kind, every: every, lease: self.lease)
            } catch {
                await slots.release(due.tenantID)
                throw error
            }
            guard leased else {
                await slots.release(due.tenantID)
                continue
            }
            started.append(Due(tenantID: due.tenantID, accountID: due.accountID, kind: kind, provider: provider))
        }
    }

    func pollAndRelease(_ due: Due) async -> Bool {
        var ok = false
        do {
            if due.provider, let balances = self.providerBalances {
                _ = try await balances.readBalance(tenantID: due.tenantID, accountID: due.accountID)
            } else {
                try await self.poll(tenantID: due.tenantID, accountID: due.accountID, kind: due.kind)
            }
            ok = true
        } catch {
            // The database's own message and detail can quote row values: only its kind and SQLSTATE
            // are logged. A call's failure is one of the documented reasons, never the target's words.
            var metadata: Logger.Metadata = ["account_id": "\(due.accountID.apiString)", "kind": "\(due.kind.rawValue)"]
            if let database = DatabaseFailure.logMetadata(error) {
                metadata.merge(database) { _, new in new }
            } else if let failure = error as? GatewayClient.Failure {
                metadata["reason"] = "\(failure)"
            } else {
                metadata["error.type"] = "\(type(of: error))"
            }
            self.logger.warning("gateway poll failed", metadata: metadata)
        }
        do {
            try await self.polls.release(tenantID: due.tenantID, accountID: due.accountID, kind: due.kind, polled: ok)
        } catch {
            // The lease lapses on its own.
            self.logger.error(
                "poll lease release failed",
                metadata: ["account_id": "\(due.accountID.apiString)", "error.type": "\(type(of: error))"]
            )
        }
        return ok
    }

    func poll(tenantID: UUID, accountID: UUID, kind: PollKind) async throws {
        let endpoint = try await self.endpoint(tenantID: tenantID, accountID: accountID)
        let (credentials, baseURL, zone) = (endpoint.credentials, endpoint.baseURL, endpoint.timeZone)
        let call: GatewayAPI.Call =
            switch kind {
            case .report: .report
            case .mo: .mo
            case .balance: .balance
            }
        let envelope = try await self.caller.call(tenantID: tenantID, accountID: accountID, baseURL: baseURL, call, credentials: credentials)
        guard envelope.isSuccess else { throw PollError.refused(code: Dispatcher.refusalCode(envelope.code)) }
        switch kind {
        case .balance:
            guard let balance = GatewayAPI.balance(envelope) else { throw PollError.gateway("the balance answer carries no balance") }
            _ = try await self.polls.recordBalance(
                tenantID: tenantID,
                accountID: accountID,
                balance: balance.balance,
                payment: balance.payment,
                raw: balance.raw
            )
        case .report, .mo:
            var parsed: [ProviderEvent] = []
            for item in GatewayAPI.items(envelope) {
                do {
                    // Identical masked items in one response are reports of different numbers masked
                    // alike: the store's tally counts each as a copy of its own.
                    if kind == .report {
                        parsed.append(.status(try GatewayCallbackParser.status(item.fields, raw: item.raw, zone: zone)))
                    } else {
                        parsed.append(.reply(try GatewayCallbackParser.reply(item.fields, raw: item.raw, zone: zone)))
                    }
                } catch {
                    parsed.append(.unrecognised(UnrecognisedEvent(reason: "gateway \(kind.rawValue) item: \(error)", raw: item.raw)))
                }
            }
            // A pull returns every report not yet fetched, tens of thousands after a large send: stored
            // a slice at a time, so no statement outgrows its deadline or the connection's buffers.
            for slice in parsed.slices(of: Self.storeSlice) {
                try await self.store(IncomingEvents(tenantID: tenantID, accountID: accountID, provider: .gateway, source: .pull, events: slice))
            }
        }
    }

    /// Pulled events stored per transaction. Copies of one mask split across slices count as they
    /// would across two pulls: the copy tallies are in the database, not in the batch.
    static let storeSlice = 1000

    /// The gateway hands each report out once: what was pulled must be stored, so storage is retried
    /// for about half a minute, long enough for PostgreSQL to restart and recover, before giving up
    /// (and that is logged loudly, with the count).
    func store(_ events: IncomingEvents) async throws {
        var delay: Duration = .milliseconds(200)
        for attempt in 1...8 {
            do {
                _ = try await self.events.store([events])
                return
            } catch {
                if attempt == 8 {
                    self.logger.critical(
                        "pulled gateway events could not be stored",
                        metadata: ["account_id": "\(events.accountID.apiString)", "events": "\(events.events.count)"]
                    )
                    throw error
                }
                try await Task.sleep(for: delay)
                delay *= 2
            }
        }
    }

    /// Polls the balance now, outside the schedule (`RefreshBalance`).
    func readBalance(tenantID: UUID, accountID: UUID) async throws -> BalanceSnapshot {
        do {
            return try await self.pollBalanceNow(tenantID: tenantID, accountID: accountID)
        } catch let failure as GatewayClient.Failure {
            throw RefreshBalance.Failure.unreachable(failure.description)
        } catch let failure as PollError {
            throw RefreshBalance.Failure.refused(failure.description)
        }
    }

    private func pollBalanceNow(tenantID: UUID, accountID: UUID) async throws -> BalanceSnapshot {
        let endpoint = try await self.endpoint(tenantID: tenantID, accountID: accountID)
        let envelope = try await self.caller.call(
            tenantID: tenantID,
            accountID: accountID,
            baseURL: endpoint.baseURL,
            .balance,
            credentials: endpoint.credentials
        )
        guard envelope.isSuccess else { throw PollError.refused(code: Dispatcher.refusalCode(envelope.code)) }
        guard let balance = GatewayAPI.balance(envelope) else { throw PollError.gateway("the balance answer carries no balance") }
        return try await self.polls.recordBalance(
            tenantID: tenantID,
            accountID: accountID,
            balance: balance.balance,
            payment: balance.payment,
            raw: balance.raw
        )
    }

    func endpoint(tenantID: UUID, accountID: UUID) async throws -> GatewayEndpoint {
        guard let endpoint = try await GatewayEndpoint.load(tenantID: tenantID, accountID: accountID, accounts: self.accounts, keyring: self.keyring)
        else {
            throw PollError.notGateway
        }
        return endpoint
    }

    func run() async throws {
        let slots = OutboundSlots(self.limits)
        await withDiscardingTaskGroup { group in
            await runPasses(every: self.tick, logger: self.logger, failure: "poll pass failed") {
                for due in await self.startRound(slots) {
                    group.addTask {
                        _ = await self.pollAndRelease(due)
                        await slots.release(due.tenantID)
                    }
                }
            }
        }
    }
}
