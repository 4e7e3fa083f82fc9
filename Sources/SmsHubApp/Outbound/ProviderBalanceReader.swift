import Foundation
import SmsHubDomain

/// Reads an account's balance for the refresh route: the Gateway's through its poller, SUBMAIL's and
/// EngageLab's through their adapters, recorded like a polled one (so `balance.below_threshold` fires
/// from the same trigger).
struct ProviderBalanceReader: BalanceSource {
    /// nil in the poller's own reader, which reads only SUBMAIL and EngageLab accounts.
    let gateway: (any BalanceSource)?
    let accounts: any ProviderAccountRepository
    let polls: any PollRepository
    let keyring: SecretKeyring
    let caller: OutboundCaller

    func readBalance(tenantID: UUID, accountID: UUID) async throws -> BalanceSnapshot {
        guard let record = try await self.accounts.record(tenantID: tenantID, id: accountID) else { throw RefreshBalance.Failure.notFound }
        let provider = record.account.provider
        if provider == .gateway {
            guard let gateway = self.gateway else { throw RefreshBalance.Failure.noBalanceAPI }
            return try await gateway.readBalance(tenantID: tenantID, accountID: accountID)
        }
        let secrets = try self.keyring.open(record.sealed, tenantID: tenantID, accountID: accountID)
        let account: SendingAccount
        switch SendingAccount.of(provider, settings: record.account.settings, secrets: secrets) {
        case .success(let found): account = found
        case .failure(let invalid): throw RefreshBalance.Failure.incomplete(invalid.problems)
        }
        let balance: ProviderBalance?
        switch account.credentials {
        case .submail(let credentials):
            let clock: Int64?
            do {
                clock = try await self.caller.submailClock(tenantID: tenantID, accountID: accountID, baseURL: account.baseURL)
            } catch {
                throw RefreshBalance.Failure.unreachable(error.description)
            }
            guard let timestamp = clock else { throw RefreshBalance.Failure.refused("SUBMAIL's clock could not be read") }
            let answer = try await self.exchange(
                tenantID,
                accountID,
                account,
                kind: "submail_balance",
                SubmailSend.balanceRequest(timestamp: timestamp, credentials: credentials)
            )
            balance = SubmailSend.balance(answer.body)
        case .engageLab(let credentials):
            let answer = try await self.exchange(tenantID, accountID, account, kind: "engagelab_balance", EngageLabSend.balanceRequest(credentials))
            balance = EngageLabSend.balance(answer.body)
        case .huawei:
            throw RefreshBalance.Failure.noBalanceAPI
        }
        guard let balance else { throw RefreshBalance.Failure.refused("the provider's answer carries no balance") }
        return try await self.polls.recordBalance(tenantID: tenantID, accountID: accountID, balance: balance.amount, payment: nil, raw: balance.raw)
    }

    private func exchange(
        _ tenantID: UUID,
        _ accountID: UUID,
        _ account: SendingAccount,
        kind: String,
        _ request: ProviderRequest
    ) async throws -> ProviderClient.Response {
        do {
            return try await self.caller.exchange(tenantID: tenantID, accountID: accountID, baseURL: account.baseURL, kind: kind, request)
        } catch {
            throw RefreshBalance.Failure.unreachable(error.description)
        }
    }
}
