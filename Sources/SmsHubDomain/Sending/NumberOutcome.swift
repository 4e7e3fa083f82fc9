/// What one provider answer says of one number it was asked to send to (docs/providers.md, "Sending").
public enum NumberOutcome: Sendable, Equatable {
    /// Taken for sending; the provider's id for this number where the answer gives one, and the
    /// segments it billed where it says.
    case accepted(providerID: String?, segments: Int?)
    /// The whole call refused before anything was accepted, for a reason of the account (credentials,
    /// balance, template or signature not approved): the number may be sent through another account.
    case refusedForAccount(Refusal)
    /// The number itself refused (invalid, over a cap, unsubscribed, blacklisted), or refused for a
    /// reason nobody has classified: it ends here, since sending it elsewhere could dodge a cap or an opt-out.
    case refusedForNumber(Refusal)
    /// The answer was lost or cannot be read: the message may have gone out. Never sent again
    /// automatically; a callback carrying the attempt's tag, or expiry, settles it.
    case unknown(reason: String)

    /// Every number of a call whose answer was lost.
    package static func unknown(_ count: Int, reason: String) -> [NumberOutcome] {
        Array(repeating: .unknown(reason: reason), count: count)
    }
}

/// A provider's refusal, as it states it: bounded, since the answer comes from outside.
public struct Refusal: Sendable, Equatable {
    public var code: String
    public var message: String?

    package init(code: String, message: String?) {
        self.code = code.prefix(utf8Bytes: Self.maxCodeBytes)
        self.message = message.map { $0.prefix(utf8Bytes: Self.maxMessageBytes) }
    }

    public static let maxCodeBytes = 64
    public static let maxMessageBytes = 256
}

/// One provider's reading of its answer codes: those that refuse the call for the account, those that
/// refuse the number, and those that say the provider itself failed (the message may be out). Each
/// provider's table is the one place to correct when its documentation turns out wrong; a code in no
/// set ends the recipient (`NumberOutcome.refusedForNumber`).
package struct RefusalCodes: Sendable {
    package var account: Set<String>
    package var number: Set<String>
    package var lost: Set<String>

    package init(account: Set<String>, number: Set<String>, lost: Set<String> = []) {
        self.account = account
        self.number = number
        self.lost = lost
    }

    package func outcome(code: String, message: String?) -> NumberOutcome {
        let refusal = Refusal(code: code, message: message)
        if self.lost.contains(code) { return .unknown(reason: "the provider answered \(refusal.code), a failure of its own") }
        return self.account.contains(code) ? .refusedForAccount(refusal) : .refusedForNumber(refusal)
    }

    /// Three-digit codes written as ranges, as SUBMAIL's documentation lists them.
    package static func codes(_ ranges: ClosedRange<Int>...) -> Set<String> {
        Set(ranges.flatMap { $0.map(String.init) })
    }
}

/// An id a provider gave to a number: kept only when it is short enough to be one.
public enum ProviderMessageID {
    public static let maxBytes = 128

    package static func bounded(_ id: String?) -> String? {
        guard let id, !id.isEmpty, id.utf8.count <= self.maxBytes else { return nil }
        return id
    }
}
