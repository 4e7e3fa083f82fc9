/// What a webhook delivery reports. The names are part of the contract (`openapi.yaml`, `webhooks:`).
package enum WebhookEventType: String, Sendable, CaseIterable, Codable {
    /// A recipient's state moved: accepted by the gateway, failed, reported, or expired.
    case statusChanged = "message.status_changed"
    /// A reply came in, linked to the message it answers when that is known.
    case replyReceived = "message.reply_received"
    /// A template or signature review ended.
    case reviewCompleted = "review.completed"
    /// A balance fell below the account's `balance_alert_below`.
    case balanceBelowThreshold = "balance.below_threshold"
    /// A number joined the tenant's opt-out list (its reply, a provider's code, or the API).
    case optedOut = "recipient.opted_out"
    /// A number left the list (its opt-in reply, or the API).
    case optedIn = "recipient.opted_in"
    /// Sent on request (`POST /v1/webhook-endpoints/{id}/test`), to that endpoint only.
    case test = "webhook.test"

    /// Subscribes to every type, those added later included.
    package static let all = "*"

    /// Types a tenant can subscribe to (the test ping goes to the endpoint it was asked for).
    package static let subscribable: [WebhookEventType] = [
        .statusChanged, .replyReceived, .reviewCompleted, .balanceBelowThreshold, .optedOut, .optedIn,
    ]
}
