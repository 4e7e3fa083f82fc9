/// Fills in the recipient's number on status events attached before migration 0022, so the number
/// filter of the event list finds them by index instead of a probe per recipient. The list is exact
/// before, during and after: it probes the recipients the walk has not reached.
public protocol EventRecipientBackfillRepository: Sendable {
    /// Walks up to `limit` recipients of one waiting tenant; returns how many (0: nothing left for
    /// this caller, either done or being walked by another instance).
    func fill(limit: Int) async throws -> Int
}
