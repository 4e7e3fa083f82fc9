/// Where callbacks find the account their URL names, and its secrets opened (the app caches both).
package protocol CallbackAccountSource: Sendable {
    func resolve(token: String) async throws -> CallbackAccount?
    func secrets(token: String, of account: CallbackAccount, open: (SealedSecrets) throws -> ProviderSecrets) throws -> ProviderSecrets
}

/// Stores what callbacks said; the app groups concurrent callbacks into one transaction.
package protocol EventIntake: Sendable {
    /// Throws `EventIntakeFull` when too many callbacks are already waiting.
    func submit(_ events: IncomingEvents) async throws -> StoreOutcome
}

/// Too many callbacks are waiting to be stored: the provider should retry.
package struct EventIntakeFull: Error {
    package init() {}
}

/// Taking in one provider callback: the account its URL names, the signature and the parse, a
/// one-use token claimed before anything is stored, then the events, stored before the provider
/// hears yes. The route reads the request within its limits and maps each outcome to a response.
package struct IngestCallback: Sendable {
    let accounts: any CallbackAccountSource
    let events: any EventStore
    let intake: any EventIntake
    let keyring: SecretKeyring

    package init(accounts: any CallbackAccountSource, events: any EventStore, intake: any EventIntake, keyring: SecretKeyring) {
        self.accounts = accounts
        self.events = events
        self.intake = intake
        self.keyring = keyring
    }

    package enum Outcome: Sendable {
        /// The provider checking that the URL answers: nothing to store.
        case urlCheck
        /// The events are committed (`stored` may be 0: all were duplicates).
        case stored(StoreOutcome, unrecognised: Int)
        /// The request is refused; a refused signature has been recorded against the account.
        case refused(CallbackError)
        /// The account's secrets cannot be opened with the configured keys: the hub's fault, not the
        /// provider's, which should retry once the keys are fixed.
        case secretsUnavailable(any Error)
        case queueFull
    }

    /// The account `token` names, if it is one of `endpoint`'s provider.
    package func account(_ endpoint: CallbackEndpoint, token: String?) async throws -> CallbackAccount? {
        guard let token, CallbackToken.looksValid(token), let account = try await self.accounts.resolve(token: token),
            account.provider == endpoint.provider
        else { return nil }
        return account
    }

    package func callAsFunction(
        _ endpoint: CallbackEndpoint,
        token: String,
        account: CallbackAccount,
        request: CallbackRequest
    ) async throws -> Outcome {
        var secrets = ProviderSecrets()
        if endpoint.verifiesSignatures {
            do {
                secrets = try self.accounts.secrets(token: token, of: account) { sealed in
                    try self.keyring.open(sealed, tenantID: account.tenantID, accountID: account.accountID)
                }
            } catch {
                return .secretsUnavailable(error)
            }
        }
        let parsed: ParsedCallback
        do {
            parsed = try endpoint.parse(request, CallbackAccountContext(settings: account.settings, secrets: secrets))
        } catch {
            return try await self.refuse(error, account: account)
        }
        if parsed.isURLCheck { return .urlCheck }
        if let token = parsed.oneUseToken, try await !self.events.claim(token, tenantID: account.tenantID, accountID: account.accountID) {
            return try await self.refuse(.signature("token was already used to sign another event"), account: account)
        }
        let outcome: StoreOutcome
        do {
            outcome = try await self.intake.submit(
                IncomingEvents(
                    tenantID: account.tenantID,
                    accountID: account.accountID,
                    provider: account.provider,
                    source: .push,
                    events: parsed.events
                )
            )
        } catch is EventIntakeFull {
            return .queueFull
        }
        let unrecognised = parsed.events.reduce(0) { count, event in
            if case .unrecognised = event { count + 1 } else { count }
        }
        return .stored(outcome, unrecognised: unrecognised)
    }

    /// A refusal; one of the signature is recorded, so the tenant can see forged or misconfigured pushes.
    package func refuse(_ error: CallbackError, account: CallbackAccount) async throws -> Outcome {
        if case .signature(let reason) = error {
            try await self.events.recordRejection(
                tenantID: account.tenantID,
                accountID: account.accountID,
                provider: account.provider,
                reason: reason
            )
        }
        return .refused(error)
    }
}
