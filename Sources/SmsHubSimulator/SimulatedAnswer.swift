import Foundation

/// What a simulated provider answers one call, and the reports it pushes afterwards.
package struct SimulatedAnswer: Sendable {
    package var status: Int
    package var body: [UInt8]
    /// How long the answer is held back (a call accepted and answered past the caller's deadline).
    package var delay: Duration?
    package var pushes: [ScheduledPush] = []

    static func json(_ status: Int, _ object: Any) -> SimulatedAnswer {
        SimulatedAnswer(status: status, body: CanonicalJSON.bytes(object) ?? Array("{}".utf8))
    }
}

package struct ScheduledPush: Sendable {
    package var url: String
    package var push: ProviderPushes.Push
    package var after: Duration
}
