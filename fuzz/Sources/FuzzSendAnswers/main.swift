import FuzzSupport
import SmsHubDomain

/// The answers of the three send APIs. The selector picks the provider, the HTTP status and how many
/// numbers the call named; whatever the body, every number gets one outcome, nothing is accepted
/// outside a 2xx or from a body that is not JSON, and what an answer says is bounded.
let statuses = [200, 201, 400, 401, 403, 404, 408, 429, 500, 502, 302]
let numbers = ["+8613800000000", "+8613900000001", "+8613700000002", "+8618612345678"]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSendAnswers(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = FuzzInput(start, count)
    let status = statuses[Int((input.selector >> 2) & 0x0F) % statuses.count]
    let called = Array(numbers.prefix(1 + Int(input.selector >> 6) % numbers.count))
    let outcomes: [NumberOutcome]
    switch input.selector & 3 {
    case 0: outcomes = SubmailSend.outcomes(status: status, body: input.body, numbers: called.map { String($0.dropFirst(3)) })
    case 1: outcomes = HuaweiSend.outcomes(status: status, body: input.body, numbers: called)
    default: outcomes = called.map { _ in EngageLabSend.outcome(status: status, body: input.body) }
    }
    Invariants.require(outcomes.count == called.count, "\(outcomes.count) outcomes for \(called.count) numbers")
    let readable = (try? JSONReader.parse(input.body, duplicates: .refuseDiffering)) != nil
    for outcome in outcomes {
        switch outcome {
        case .accepted(let id, let segments):
            Invariants.require((200...299).contains(status), "accepted under HTTP \(status)")
            Invariants.require(readable, "accepted from a body that is not JSON")
            Invariants.require((id?.utf8.count ?? 0) <= ProviderMessageID.maxBytes, "a provider id of \(id?.utf8.count ?? 0) bytes")
            Invariants.require((segments ?? 1) >= 0 && (segments ?? 1) <= 1000, "segments \(segments ?? 0)")
        case .refusedForAccount(let refusal), .refusedForNumber(let refusal):
            Invariants.require(!(500...599).contains(status) && status != 408, "refused under HTTP \(status): the message may be out")
            Invariants.require(refusal.code.utf8.count <= Refusal.maxCodeBytes, "a code of \(refusal.code.utf8.count) bytes")
            Invariants.require(
                (refusal.message?.utf8.count ?? 0) <= Refusal.maxMessageBytes,
                "a message of \(refusal.message?.utf8.count ?? 0) bytes"
            )
        case .unknown:
            break
        }
    }
    return 0
}
