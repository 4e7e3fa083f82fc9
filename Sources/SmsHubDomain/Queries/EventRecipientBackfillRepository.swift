/// Fills in the recipient's message id and number on status events attached before migration 0022,
/// so event lists need no recipient lookups and the number filter reads index ranges. Lists are
/// exact before, during and after: they look up what the walk has not reached.
package protocol EventRecipientBackfillRepository: Sendable {
    /// Walks up to `limit` recipients of one waiting tenant; returns how many (0: nothing left for
    /// this caller, either done or being walked by another instance).
    func fill(limit: Int) async throws -> Int
}
