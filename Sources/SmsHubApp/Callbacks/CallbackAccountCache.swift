import Foundation
import SmsHubDomain
import Synchronization

/// Provider accounts with the callback-token lookup cached: every callback names its account by
/// token, and under load that lookup was a database round trip per request.
///
/// Accounts live `lifetime` (one second) at most: writes through this repository (a rotated token, new
/// secrets or settings) clear the cache at once, and every other instance of the service sees such a
/// write within that second, at the cost of one lookup per second per busy token. Unknown tokens are
/// remembered as misses for `missLifetime`, so a provider still calling a rotated URL (or anyone
/// repeating a guess) costs no database round trip after the first; a new or rotated token is a fresh
/// random value, never among them. Both maps are bounded by `capacity`, emptied when full, so guessing
/// cannot fill memory.
final class CallbackAccountCache: ProviderAccountRepository, CallbackAccountSource {
    private let base: any ProviderAccountRepository
    private let lifetime: Duration
    private let missLifetime: Duration
    private let capacity: Int
    private let clock: MonotonicClock
    private let state = Mutex(State())

    private struct Entry {
        var account: CallbackAccount
        var expires: ContinuousClock.Instant
        /// Opened on first use and held no longer than the entry, not opened per callback (decision 0018).
        var secrets: ProviderSecrets?
    }

    private struct State {
        /// By token as received: a hit needs no hashing.
        var entries: [String: Entry] = [:]
        /// Tokens that named no account, until when.
        var misses: [String: ContinuousClock.Instant] = [:]
        /// Counts invalidations, so a lookup that raced one does not store what it read before it.
        var generation = 0
    }

    init(
        _ base: any ProviderAccountRepository,
        lifetime: Duration = .seconds(1),
        missLifetime: Duration = .seconds(10),
        capacity: Int = 10_000,
        clock: MonotonicClock = .system
    ) {
        self.base = base
        self.clock = clock
        self.lifetime = lifetime
        self.missLifetime = missLifetime
        self.capacity = capacity
    }

    /// The account a callback URL's token names, from the cache while it is fresh.
    func resolve(token: String) async throws -> CallbackAccount? {
        let now = self.clock.now()
        let (hit, miss, generation) = self.state.withLock { ($0.entries[token], $0.misses[token], $0.generation) }
        if let hit, hit.expires > now { return hit.account }
        if let miss, miss > now { return nil }
        guard let account = try await self.base.resolveCallbackToken(hash: CallbackToken.hash(of: token)) else {
            self.state.withLock { state in
                guard state.generation == generation else { return }
                if state.misses.count >= self.capacity { state.misses.removeAll(keepingCapacity: true) }
                state.misses[token] = now + self.missLifetime
            }
            return nil
        }
        self.state.withLock { state in
            guard state.generation == generation else { return }
            if state.entries.count >= self.capacity { state.entries.removeAll(keepingCapacity: true) }
            state.entries[token] = Entry(account: account, expires: now + self.lifetime)
        }
        return account
    }

    /// The account's secrets for the callback at `token`, opened once per cache entry.
    func secrets(token: String, of account: CallbackAccount, open: (SealedSecrets) throws -> ProviderSecrets) throws -> ProviderSecrets {
        let (cached, generation) = self.state.withLock { ($0.entries[token], $0.generation) }
        if let cached, cached.account.accountID == account.accountID, let secrets = cached.secrets { return secrets }
        let secrets = try open(account.sealed)
        self.state.withLock { state in
            guard state.generation == generation, state.entries[token]?.account.accountID == account.accountID else { return }
            state.entries[token]?.secrets = secrets
        }
        return secrets
    }

    func resolveCallbackToken(hash: [UInt8]) async throws -> CallbackAccount? {
        try await self.base.resolveCallbackToken(hash: hash)
    }

    private func invalidate() {
        self.state.withLock { state in
            state.generation += 1
            state.entries.removeAll()
            state.misses.removeAll()
        }
    }

    func insert(_ record: ProviderAccountRecord) async throws -> ProviderAccount {
        defer { self.invalidate() }
        return try await self.base.insert(record)
    }

    func update(
        tenantID: UUID,
        id: UUID,
        _ change: @Sendable (ProviderAccountRecord) throws -> ProviderAccountRecord
    ) async throws -> ProviderAccount? {
        // Cleared after the write commits, so no lookup running alongside it can cache the old row.
        defer { self.invalidate() }
        return try await self.base.update(tenantID: tenantID, id: id, change)
    }

    func list(tenantID: UUID, after cursor: PageCursor?, limit: Int) async throws -> Page<ProviderAccount> {
        try await self.base.list(tenantID: tenantID, after: cursor, limit: limit)
    }

    func get(tenantID: UUID, id: UUID) async throws -> ProviderAccount? {
        try await self.base.get(tenantID: tenantID, id: id)
    }

    func record(tenantID: UUID, id: UUID) async throws -> ProviderAccountRecord? {
        try await self.base.record(tenantID: tenantID, id: id)
    }
}
