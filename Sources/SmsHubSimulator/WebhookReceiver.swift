package import Foundation
package import SmsHubDomain
import Synchronization

/// Webhook endpoints that play a tenant's receiver: each checks the Standard Webhooks signature with
/// the secret it was given, remembers what arrived, and answers slowly or with an error on command.
/// A delivery costs a lock around a few counters and a slot of a ring: the signature is checked
/// outside it and bodies are read only when asked for, so the receiver keeps up with the hub on the
/// same machine (bench/run measures delivery rates against it).
package final class WebhookReceiver: Sendable {
    package struct Received: Sendable, Equatable {
        package var id: String
        package var timestamp: String
        package var signature: String
        package var verified: Bool
        package var body: String

        /// The event type named in the body, read when asked for.
        package var type: String? {
            (try? JSONSerialization.jsonObject(with: Data(self.body.utf8)) as? [String: Any])?["type"] as? String
        }
    }

    package struct Behaviour: Sendable, Equatable {
        package var status: Int
        package var delay: Duration
        /// An answer's body: this many bytes of `x` (a long answer the hub must cut short).
        package var bodyBytes: Int

        package init(status: Int = 204, delay: Duration = .zero, bodyBytes: Int = 0) {
            self.status = status
            self.delay = delay
            self.bodyBytes = bodyBytes
        }
    }

    struct Endpoint {
        var secrets: [WebhookSecret] = []
        var behaviour = Behaviour()
        /// The latest deliveries, a ring of `keep` slots, and counts over all of them.
        var recent: [Received] = []
        var next = 0
        var total = 0
        var verified = 0
        var ids = Set<String>()

        /// Counts and keeps one delivery; returns how to answer it.
        mutating func record(_ received: Received) -> Behaviour {
            self.total += 1
            if received.verified { self.verified += 1 }
            if self.ids.count < WebhookReceiver.maxIDs { self.ids.insert(received.id) }
            self.remember(received)
            return self.behaviour
        }

        mutating func remember(_ received: Received) {
            if self.recent.count < WebhookReceiver.keep {
                self.recent.append(received)
            } else {
                self.recent[self.next] = received
            }
            self.next = (self.next + 1) % WebhookReceiver.keep
        }

        /// Oldest first.
        var ordered: [Received] {
            self.recent.count < WebhookReceiver.keep ? self.recent : Array(self.recent[self.next...] + self.recent[..<self.next])
        }
    }

    static let keep = 200
    static let maxIDs = 1_000_000
    private let endpoints = Mutex<[String: Endpoint]>([:])

    package init() {}

    /// Sets what an endpoint checks signatures with (the secret the hub showed) and how it answers.
    /// A second secret is accepted too, for a rotation.
    package func configure(_ name: String, secrets: [WebhookSecret]?, behaviour: Behaviour?, reset: Bool = false) async {
        self.endpoints.withLock { endpoints in
            if reset { endpoints[name] = Endpoint() }
            if let secrets { endpoints[name, default: Endpoint()].secrets = secrets }
            if let behaviour { endpoints[name, default: Endpoint()].behaviour = behaviour }
        }
    }

    /// Records one delivery; returns how to answer it.
    package func receive(_ name: String, headers: [String: String], body: [UInt8], now: Date = Date()) async -> Behaviour {
        let secrets = self.endpoints.withLock { $0[name]?.secrets ?? [] }
        let id = headers["webhook-id"] ?? ""
        let stamp = headers["webhook-timestamp"] ?? ""
        let signature = headers["webhook-signature"] ?? ""
        let timestamp = Int64(stamp) ?? 0
        let seconds = Int64(now.timeIntervalSince1970.rounded(.down))
        let verified = secrets.contains {
            WebhookSignature.verify(header: signature, id: id, timestamp: timestamp, body: body, secret: $0, now: seconds)
        }
        let received = Received(
            id: id,
            timestamp: stamp,
            signature: signature,
            verified: verified,
            body: String(decoding: body.prefix(4096), as: UTF8.self)
        )
        // Changed in place: a copy of the endpoint would copy its set of ids at every delivery.
        return self.endpoints.withLock { $0[name, default: Endpoint()].record(received) }
    }

    package struct Summary: Sendable, Equatable {
        package var total: Int
        package var verified: Int
        package var unique: Int
        /// Oldest first.
        package var recent: [Received]
    }

    package func summary(_ name: String) async -> Summary {
        let endpoint = self.endpoints.withLock { $0[name, default: Endpoint()] }
        return Summary(total: endpoint.total, verified: endpoint.verified, unique: endpoint.ids.count, recent: endpoint.ordered)
    }

    /// Every distinct `webhook-id` received (up to the bound).
    package func ids(_ name: String) async -> Set<String> {
        self.endpoints.withLock { $0[name]?.ids ?? [] }
    }
}
