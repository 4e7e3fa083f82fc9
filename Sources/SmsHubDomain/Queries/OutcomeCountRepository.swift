/// The daily summary's counts of recipients by outcome (migration 0021): every statement that
/// changes recipients queues its net change, and the queue is folded into the counts here. The
/// summary reads counts and queue together, so folding late never makes it wrong, only slower.
package protocol OutcomeCountRepository: Sendable {
    /// Folds up to `limit` queued changes; returns how many were folded (0 while another instance folds).
    func fold(limit: Int) async throws -> Int
}
