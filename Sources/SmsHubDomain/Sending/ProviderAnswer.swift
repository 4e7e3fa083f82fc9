/// What the HTTP status of an answer says before its body is read, the same for every provider.
package enum ProviderAnswer {
    /// A status after which the message may be out: the provider failed (5xx), something between
    /// timed out (408), or the status is one no provider documents for a send.
    package static func lost(status: Int) -> String? {
        switch status {
        case 200...299, 400...407, 409...499: nil
        case 500...599: "the provider answered HTTP \(status)"
        default: "the answer's HTTP status \(status) says nothing of the message"
        }
    }

    /// A body that cannot be read: after a 2xx the message may be out; a 4xx refused the call, for a
    /// reason no code names, so the recipient ends there.
    package static func unreadable(status: Int, count: Int) -> [NumberOutcome] {
        guard (400...499).contains(status) else { return NumberOutcome.unknown(count, reason: "the answer cannot be read") }
        return Array(repeating: .refusedForNumber(Refusal(code: "http_\(status)", message: nil)), count: count)
    }
}
