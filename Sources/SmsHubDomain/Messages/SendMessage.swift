import Cryptography
package import Foundation

/// Accepting a message for sending: the rules, the account it goes through, idempotency, and the
/// message stored with one `queued` recipient per distinct number. The dispatcher sends it later.
package struct SendMessage: Sendable {
    let messages: any MessageRepository
    let accounts: any ProviderAccountRepository
    /// Ids for the recipients; random in service, fixed in tests.
    let makeIDs: @Sendable (Int) -> [UUID]

    package init(
        messages: any MessageRepository,
        accounts: any ProviderAccountRepository,
        makeIDs: @escaping @Sendable (Int) -> [UUID] = { SecureRandom.uuids($0) }
    ) {
        self.messages = messages
        self.accounts = accounts
        self.makeIDs = makeIDs
    }

    package struct Accepted: Sendable {
        package var message: Message
        /// Numbers left out because an earlier entry was the same number, as written.
        package var duplicates: [String]
        /// The idempotency key had been used with this same request: this is the first result.
        package var replayed: Bool
    }

    package func callAsFunction(tenantID: UUID, _ input: SendMessageInput, idempotencyKey: String?) async throws -> Accepted {
        let validated: SendRequestRules.Validated
        switch SendRequestRules.validate(
            recipients: input.recipients,
            content: input.content,
            extNo: input.extNo,
            clientReference: input.clientReference
        ) {
        case .success(let value): validated = value
        case .failure(let invalid): throw SendMessageError.invalid(invalid.problems)
        }
        let account = try await self.account(input.providerAccountID, tenantID: tenantID)
        let message = NewMessage(
            id: SecureRandom.uuid(),
            tenantID: tenantID,
            providerAccountID: account.id,
            content: validated.content,
            extNo: validated.extNo,
            clientReference: validated.clientReference,
            customJSON: input.customJSON,
            idempotencyKey: idempotencyKey,
            fingerprint: SendRequestRules.fingerprint(
                accountID: input.providerAccountID,
                recipients: input.recipients,
                content: input.content,
                extNo: input.extNo,
                clientReference: input.clientReference,
                customJSON: input.customJSON
            ),
            recipients: zip(self.makeIDs(validated.numbers.count), validated.numbers).map { Recipient(id: $0, number: $1, status: .queued) }
        )
        switch try await self.messages.create(message) {
        case .created(let stored): return Accepted(message: stored, duplicates: validated.duplicates, replayed: false)
        case .replayed(let stored): return Accepted(message: stored, duplicates: validated.duplicates, replayed: true)
        case .keyConflict: throw SendMessageError.idempotencyConflict
        }
    }

    /// The account named, or the tenant's default gateway account: it must send through the Gateway
    /// and be active.
    func account(_ id: UUID?, tenantID: UUID) async throws -> ProviderAccount {
        let account: ProviderAccount
        if let id {
            guard let found = try await self.accounts.get(tenantID: tenantID, id: id) else {
                throw SendMessageError.invalid([FieldProblem(field: "provider_account_id", message: "names no provider account of this tenant")])
            }
            account = found
        } else {
            guard let found = try await self.messages.defaultAccount(tenantID: tenantID, provider: .gateway) else {
                throw SendMessageError.invalid([
                    FieldProblem(field: "provider_account_id", message: "is required: the tenant has no default gateway account")
                ])
            }
            account = found
        }
        guard account.provider == .gateway else {
            throw SendMessageError.invalid([
                FieldProblem(field: "provider_account_id", message: "must be a gateway account: sending goes through the Gateway API")
            ])
        }
        guard account.status == .active else {
            throw SendMessageError.invalid([FieldProblem(field: "provider_account_id", message: "names a disabled account")])
        }
        return account
    }
}
