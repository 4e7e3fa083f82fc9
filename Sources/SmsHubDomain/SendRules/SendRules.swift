/// A tenant's rules for sending (`PUT /v1/send-rules`), applied by the hub before any provider call.
/// Every section has defaults, so a tenant that never set any sends by the defaults.
package struct SendRules: Sendable, Equatable {
    package var optOut = OptOutRules()
    package var caps = FrequencyCaps()
    package var quotas = Quotas()

    package init() {}
}

/// How the opt-out list is kept and applied.
package struct OptOutRules: Sendable, Equatable {
    /// Whether the list also stops verification codes. Off by default: a person who asked for a code
    /// is asking for that message, and regulators exempt codes from opt-out wording.
    package var verification = false
    /// Whether a reply such as `START` takes the number off the list again (only entries a reply or a
    /// report put there; the tenant's own entries stay until the tenant removes them).
    package var optInByReply = true
    /// Whether a provider's blacklist code (as opposed to an opt-out code) also puts the number on the
    /// list. On by default: the next provider would otherwise reach a number another one blocked.
    package var listBlacklisted = true

    package init() {}
}
