import Foundation

/// A Gateway send task claimed by one dispatcher: its id is the gateway's taskId.
public struct DispatchTask: Sendable, Equatable {
    public var tenantID: UUID
    public var id: UUID
    public var messageID: UUID
    public var accountID: UUID
    public var recipientIDs: [UUID]
    public var attempts: Int
    public var mobiles: [String]
    public var content: String
    public var extNo: String?

    public init(tenantID: UUID, id: UUID, messageID: UUID, accountID: UUID, recipientIDs: [UUID], attempts: Int, mobiles: [String], content: String, extNo: String?) {
        self.tenantID = tenantID
        self.id = id
        self.messageID = messageID
        self.accountID = accountID
        self.recipientIDs = recipientIDs
        self.attempts = attempts
        self.mobiles = mobiles
        self.content = content
        self.extNo = extNo
    }
}

public enum DispatchOutcome: Sendable, Equatable {
    /// The gateway accepted the task (`code == "00"`).
    case accepted
    /// The gateway refused it with this code and message: the recipients failed.
    case refused(code: String, message: String)
    /// No usable answer; try again at `retryAt` with the same task id.
    case retry(reason: String, retryAt: Date)
    /// No usable answer and no attempts left: the recipients failed with `reason`.
    case gaveUp(reason: String)
}

public protocol DispatchRepository: Sendable {
    /// Tenants with recipients to plan or tasks due.
    func tenantsWithWork() async throws -> [UUID]
    /// Groups the tenant's queued, unplanned recipients into tasks of at most `maxPerTask`, committing
    /// each task id with its recipients before any gateway call. Returns how many tasks were made.
    func plan(tenantID: UUID, maxPerTask: Int, limit: Int) async throws -> Int
    /// Claims due tasks (skipping those another instance holds), leasing each for `lease`.
    func claim(tenantID: UUID, limit: Int, lease: Duration) async throws -> [DispatchTask]
    /// Records what the gateway said, in one transaction with the recipients' new states.
    func complete(_ task: DispatchTask, outcome: DispatchOutcome) async throws
}
