/// The limits a webhook endpoint's fields must meet (docs/webhooks.md). The URL's own rules are the
/// egress policy's, checked where the resolver is (the route).
public enum WebhookEndpointRules {
    /// Endpoints per tenant: each costs a fan-out row per event.
    package static let maxEndpointsPerTenant = 20
    /// In Unicode code points, as the API counts lengths.
    package static let maxDescriptionLength = 500
    package static let maxEventTypes = 16
    /// How long a rotated-out secret still signs deliveries, so receivers can switch without a gap.
    package static let rotationOverlap: Duration = .seconds(86_400)
    /// An endpoint whose every attempt has failed for this long is disabled (Svix waits 5 days).
    package static let disableAfter: Duration = .seconds(5 * 86_400)
    /// Pending deliveries a failing endpoint may have before new changes stop being queued for it
    /// (migration 0029): what a replay queues at most, so one replay of the gap fits.
    package static let maxPendingWhileFailing = 10_000
    /// Attempts one delivery may have, manual retries included (the schedule makes 8): what bounds
    /// the attempt rows a delivery keeps.
    package static let maxAttemptsPerDelivery = 50

    public static func problems(description: String?, eventTypes: [String]?) -> [FieldProblem] {
        var problems: [FieldProblem] = []
        if let description, description.unicodeScalars.count > self.maxDescriptionLength {
            problems.append(FieldProblem(field: "description", message: "must be at most \(self.maxDescriptionLength) characters"))
        }
        if let types = eventTypes {
            let known = Set(WebhookEventType.subscribable.map(\.rawValue) + [WebhookEventType.all])
            if types.isEmpty || types.count > self.maxEventTypes {
                problems.append(FieldProblem(field: "event_types", message: "must list 1 to \(self.maxEventTypes) event types, or \"*\" for all"))
            }
            for (index, type) in types.enumerated() where !known.contains(type) {
                problems.append(
                    FieldProblem(
                        field: "event_types[\(index)]",
                        message: "is not an event type (\(WebhookEventType.subscribable.map(\.rawValue).joined(separator: ", ")), or \"*\")"
                    )
                )
            }
            if Set(types).count != types.count {
                problems.append(FieldProblem(field: "event_types", message: "must not repeat a type"))
            }
        }
        return problems
    }
}
