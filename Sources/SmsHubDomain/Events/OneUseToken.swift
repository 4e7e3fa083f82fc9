import Cryptography

/// A provider credential meant for one event (SUBMAIL's `token`, which alone is signed). Remembered
/// with what it signed: the same token with another event is a captured signature reused, refused.
/// Only digests are kept: the token is a credential, and the event is stored anyway.
package struct OneUseToken: Sendable, Equatable {
    /// SHA-256 of the token.
    package var digest: [UInt8]
    /// SHA-256 of the events it came with, by their dedup keys (what each event is, not how it was encoded).
    package var fingerprint: [UInt8]

    package init(token: String, events: [ProviderEvent]) {
        self.digest = Digest.sha256.hash(token)
        var identity = ""
        for event in events {
            switch event {
            case .status(let report): identity += report.dedupKey
            case .reply(let reply): identity += reply.dedupKey
            case .review(let review): identity += review.dedupKey
            case .unrecognised(let unknown): identity += unknown.raw
            }
            identity += "\n"
        }
        self.fingerprint = Digest.sha256.hash(identity)
    }
}
