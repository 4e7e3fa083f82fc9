/// What becomes of a recipient after one attempt at step `step` of its route (decision 0019): only a
/// refusal of the whole call for the account, before anything was accepted, moves it to the next
/// account. A refused number ends there, and an unknown outcome stays on its one attempt.
package enum AttemptVerdict: Sendable, Equatable {
    case accepted(providerID: String?, segments: Int?)
    /// Try the route's account at `step`.
    case next(step: Int)
    /// The recipient ends `failed` with this refusal: its number was refused, or every account of the
    /// route refused the call (the last refusal is kept).
    case failed(Refusal)
    case unknown(reason: String)

    package static func after(_ outcome: NumberOutcome, step: Int, of stepCount: Int) -> AttemptVerdict {
        switch outcome {
        case .accepted(let id, let segments): .accepted(providerID: id, segments: segments)
        case .refusedForAccount(let refusal): step + 1 < stepCount ? .next(step: step + 1) : .failed(refusal)
        case .refusedForNumber(let refusal): .failed(refusal)
        case .unknown(let reason): .unknown(reason: reason)
        }
    }
}
