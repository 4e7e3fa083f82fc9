import Foundation
import SmsHubDomain

/// Webhook endpoints that play a tenant's receiver: each checks the Standard Webhooks signature with
/// the secret it was given, remembers what arrived, and answers slowly or with an error on command.
public actor WebhookReceiver {
    public struct Received: Sendable, Equatable {
        public var id: String
        public var timestamp: String
        public var signature: String
        public var type: String?
        public var verified: Bool
        public var body: String
    }

    public struct Behaviour: Sendable, Equatable {
        public var status: Int
        public var delay: Duration

        public init(status: Int = 204, delay: Duration = .zero) {
            self.status = status
            self.delay = delay
        }
    }

    struct Endpoint {
        var secrets: [WebhookSecret] = []
        var behaviour = Behaviour()
        /// The latest deliveries (bounded), and counts over all of them.
        var recent: [Received] = []
        var total = 0
        var verified = 0
        var ids = Set<String>()
    }

    static let keep = 200
    static let maxIDs = 1_000_000
    private var endpoints: [String: Endpoint] = [:]

    public init() {}

    /// Sets what an endpoint checks signatures with (the secret the hub showed) and how it answers.
    /// A second secret is accepted too, for a rotation.
    public func configure(_ name: String, secrets: [WebhookSecret]?, behaviour: Behaviour?, reset: Bool = false) {
        var endpoint = reset ? Endpoint() : self.endpoints[name, default: Endpoint()]
        if let secrets { endpoint.secrets = secrets }
        if let behaviour { endpoint.behaviour = behaviour }
        self.endpoints[name] = endpoint
    }

    /// Records one delivery; returns how to answer it.
    public func receive(_ name: String, headers: [String: String], body: [UInt8], now: Date = Date()) -> Behaviour {
        var endpoint = self.endpoints[name, default: Endpoint()]
        let id = headers["webhook-id"] ?? ""
        let stamp = headers["webhook-timestamp"] ?? ""
        let timestamp = Int64(stamp) ?? 0
        let signature = headers["webhook-signature"] ?? ""
        let verified =
            !endpoint.secrets.isEmpty
            && endpoint.secrets.contains {
                WebhookSignature.verify(
                    header: signature,
                    id: id,
                    timestamp: timestamp,
                    body: body,
                    secret: $0,
                    now: Int64(now.timeIntervalSince1970.rounded(.down))
                )
            }
        var type: String?
        if let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] { type = object["type"] as? String }
        endpoint.total += 1
        if verified { endpoint.verified += 1 }
        if endpoint.ids.count < Self.maxIDs { endpoint.ids.insert(id) }
        endpoint.recent.append(
            Received(
                id: id,
                timestamp: stamp,
                signature: signature,
                type: type,
                verified: verified,
                body: String(decoding: body.prefix(4096), as: UTF8.self)
            )
        )
        if endpoint.recent.count > Self.keep { endpoint.recent.removeFirst(endpoint.recent.count - Self.keep) }
        self.endpoints[name] = endpoint
        return endpoint.behaviour
    }

    public struct Summary: Sendable, Equatable {
        public var total: Int
        public var verified: Int
        public var unique: Int
        public var recent: [Received]
    }

    public func summary(_ name: String) -> Summary {
        let endpoint = self.endpoints[name, default: Endpoint()]
        return Summary(total: endpoint.total, verified: endpoint.verified, unique: endpoint.ids.count, recent: endpoint.recent)
    }

    /// Every distinct `webhook-id` received (up to the bound).
    public func ids(_ name: String) -> Set<String> {
        self.endpoints[name]?.ids ?? []
    }
}
