import Foundation
import SmsHubDomain

/// Calls through SUBMAIL, Huawei and EngageLab accounts: once per task, never retried (decision 0019).
/// What keeps the call from being made (the account gone, incomplete, or without the message's
/// template) refuses it for the account, since nothing left the hub: the route's next account may
/// take the recipients.
extension Dispatcher {
    func sendThroughProvider(_ task: DispatchTask) async -> DispatchOutcome {
        let count = task.recipientIDs.count
        func refused(_ code: String, _ message: String) -> DispatchOutcome {
            .numbers(Array(repeating: .refusedForAccount(Refusal(code: code, message: message)), count: count))
        }
        let record: ProviderAccountRecord
        var secrets: ProviderSecrets
        do {
            guard let found = try await self.accounts.record(tenantID: task.tenantID, id: task.accountID) else {
                return refused("account_missing", "the provider account no longer exists")
            }
            record = found
            secrets = try self.keyring.open(record.sealed, tenantID: task.tenantID, accountID: task.accountID)
        } catch {
            return refused("credentials_unavailable", "the account's credentials could not be opened")
        }
        let token = secrets.takeCallbackToken()
        let account: SendingAccount
        switch SendingAccount.of(task.provider, settings: record.account.settings, secrets: secrets) {
        case .success(let found): account = found
        case .failure(let invalid):
            return refused("account_incomplete", "the account lacks \(invalid.problems.map(\.field).joined(separator: ", "))")
        }
        let content: ProviderContent
        switch DispatchContent.of(provider: task.provider, text: task.content, mapping: task.mapping, values: task.values) {
        case .success(let found): content = found
        case .failure(let refusal): return refused(refusal.code, refusal.message ?? refusal.code)
        }
        let statusCallback = token.flatMap {
            CallbackToken.callbackURLs(base: self.publicBaseURL, provider: task.provider, token: $0)["status"]
        }
        let outcomes = await ProviderSendCall(caller: self.caller).send(
            ProviderSendCall.Target(tenantID: task.tenantID, accountID: task.accountID, account: account),
            numbers: task.numbers,
            content: content,
            tag: AttemptTag.of(task.id),
            statusCallback: statusCallback
        )
        return .numbers(outcomes)
    }
}
