package import Foundation

/// A send task claimed by one dispatcher: one call. Its id is the Gateway's taskId, or, through the
/// other providers, the attempt whose tag (`AttemptTag`) the provider echoes in its callbacks.
package struct DispatchTask: Sendable, Equatable {
    package var tenantID: UUID
    package var id: UUID
    package var messageID: UUID
    package var accountID: UUID
    package var recipientIDs: [UUID]
    package var attempts: Int
    /// The recipients' numbers (E.164), in the order of `recipientIDs`.
    package var numbers: [String]
    package var content: String
    package var extNo: String?
    /// The instance holding the lease this task was claimed under; with `attempts`, the fencing token.
    package var leaseOwner: UUID
    package var provider: Provider = .gateway
    /// The accounts of the route the message was accepted with, in order; `accountID` is one of them.
    package var route: [UUID] = []
    /// The account's mapping of the message's template, when it has one.
    package var mapping: TemplateMapping?
    /// The template's values, when the message named a template.
    package var values: [String: String]?

    /// Where `accountID` is on the route (0 for a message sent through one account).
    package var step: Int { self.route.firstIndex(of: self.accountID) ?? 0 }
    package var stepCount: Int { max(1, self.route.count) }

    package init(
        tenantID: UUID,
        id: UUID,
        messageID: UUID,
        accountID: UUID,
        recipientIDs: [UUID],
        attempts: Int,
        numbers: [String],
        content: String,
        extNo: String?,
        leaseOwner: UUID = UUID()
    ) {
        self.tenantID = tenantID
        self.id = id
        self.messageID = messageID
        self.accountID = accountID
        self.recipientIDs = recipientIDs
        self.attempts = attempts
        self.numbers = numbers
        self.content = content
        self.extNo = extNo
        self.leaseOwner = leaseOwner
    }
}

package enum DispatchOutcome: Sendable, Equatable {
    /// The gateway accepted the task (`code == "00"`), or refused a retry of it as a task id it has
    /// seen (`repeatOf` holds that code): the recipients are submitted and their reports settle them.
    case accepted(repeatOf: String? = nil)
    /// The gateway refused it with this code and message: the recipients failed.
    case refused(code: String, message: String)
    /// No usable answer; try again at `retryAt` with the same task id.
    case retry(reason: String, retryAt: Date)
    /// No usable answer and no attempts left: the recipients failed with `reason`.
    case gaveUp(reason: String)
    /// What a provider without an idempotency key said of each number, in the order of the task's
    /// recipients (decision 0019): the task is done whatever it says.
    case numbers([NumberOutcome])
}

package protocol DispatchRepository: Sendable {
    /// Tenants with recipients to plan or tasks due.
    func tenantsWithWork() async throws -> [UUID]
    /// Groups the tenant's queued, unplanned recipients into tasks of at most `maxPerTask`, committing
    /// each task id with its recipients before any gateway call. Returns how many tasks were made.
    /// Task sizes follow the account's provider (`Provider.numbersPerTask`), at most `maxPerTask`.
    func plan(tenantID: UUID, maxPerTask: Int, limit: Int) async throws -> Int
    /// Claims due tasks of active, unpaused accounts (skipping those another instance holds), leasing
    /// each to `owner` for `lease`, and at most `perAccount` leased at once per account (counting
    /// leases any instance holds).
    /// A task of a provider without an idempotency key whose earlier lease lapsed is not claimed again
    /// but settled: its recipients become `unknown` (code `outcome_unknown`), since the call may have
    /// gone out. A recipient that already has a live attempt is left out of the call.
    func claim(tenantID: UUID, limit: Int, perAccount: Int, lease: Duration, owner: UUID) async throws -> [DispatchTask]
    /// Extends the lease `task` was claimed under; false when that lease is no longer the task's (it
    /// lapsed and another claim took over, or the task is finished).
    func renew(_ task: DispatchTask, lease: Duration) async throws -> Bool
    /// Records what the gateway said, in one transaction with the recipients' new states, if `task`'s
    /// lease is still the task's; false (and nothing written) when it is not.
    func complete(_ task: DispatchTask, outcome: DispatchOutcome) async throws -> Bool
}
