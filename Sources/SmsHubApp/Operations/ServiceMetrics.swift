import Hummingbird
package import Prometheus
import SmsHubDomain
import Synchronization

/// The service's Prometheus registry. One per application, not a process-wide bootstrap, so tests can
/// run several applications side by side and read each one's own figures.
package final class ServiceMetrics: Sendable {
    package let registry = PrometheusCollectorRegistry()

    static let durationBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
    ]

    /// Every documented series exists from the start, at zero, so an alert on its rate has something
    /// to read before the first event: the counters without labels, and those whose labels are a
    /// known, small set.
    package init() {
        for provider in ["engagelab", "submail", "huawei", "gateway"] {
            for outcome in Self.callbackOutcomes { self.callbackCounter(provider: provider, outcome: outcome) }
        }
        for kind in ["send", "report", "mo", "balance"] {
            for outcome in ["ok", "refused"] + OutboundFailure.allCases.map(\.rawValue) { self.outboundCounter(kind: kind, outcome: outcome) }
        }
        for outcome in ["delivered", "http_error", "no_answer", "gave_up"] { self.webhookAttemptCounter(outcome: outcome) }
        for (name, help) in Self.namedCounters { self.namedCounter(name, help: help) }
        self.recordCircuitGauge()
        _ = self.ingestBatchHistogram()
    }

    /// What `recordCallback` counts: stored, a duplicate, unrecognised (stored raw), a URL check, a
    /// body refused (400), a signature refused, an unknown token, too large, the queue full, or the
    /// address past its limit of refused credentials.
    static let callbackOutcomes = [
        "stored", "duplicate", "unrecognised", "url_check", "bad_request", "rejected", "unknown_token", "too_large", "queue_full", "rate_limited",
    ]

    static let namedCounters = [
        ("webhook_endpoints_disabled", "Webhook endpoints disabled after every delivery failed for days"),
        ("dispatch_stale_outcomes", "Send outcomes discarded because the task's lease had passed to another claim"),
        ("outbound_circuit_opened", "Times a provider account was paused after consecutive failed calls"),
    ]

    /// Metric handles by label values, made once each, not through the registry per request (decision 0018).
    private struct Handles {
        var requests: [RequestKey: (Counter, DurationHistogram)] = [:]
        var callbacks: [CallbackKey: Counter] = [:]
        var ingestBatch: ValueHistogram?
        var outbound: [CallbackKey: Counter] = [:]
        var named: [String: Counter] = [:]
        var pausedAccounts: Set<String> = []
        var pausedGauge: Gauge?
    }

    private struct RequestKey: Hashable {
        var method: String, route: String, status: Int
    }

    private struct CallbackKey: Hashable {
        var provider: String, outcome: String
    }

    private let handles = Mutex(Handles())

    /// The handle stored under `key`, made (once) by `make` when missing.
    private func handle<Key: Hashable, Handle: Sendable>(_ table: WritableKeyPath<Handles, [Key: Handle]>, _ key: Key, make: () -> Handle) -> Handle {
        self.handles.withLock { handles in
            if let known = handles[keyPath: table][key] { return known }
            let made = make()
            handles[keyPath: table][key] = made
            return made
        }
    }

    func recordRequest(method: String, route: String, status: Int, duration: Duration) {
        let (counter, histogram) = self.handle(\.requests, RequestKey(method: method, route: route, status: status)) {
            let labels = [("method", method), ("route", route), ("status", String(status))]
            return (
                self.registry.makeCounter(
                    descriptor: MetricNameDescriptor(
                        namespace: "smshub",
                        metricName: "http_requests",
                        unitName: "total",
                        helpText: "HTTP requests by route and status"
                    ),
                    labels: labels
                ),
                self.registry.makeDurationHistogram(
                    descriptor: MetricNameDescriptor(
                        namespace: "smshub",
                        metricName: "http_request_duration",
                        unitName: "seconds",
                        helpText: "HTTP request latency by route and status"
                    ),
                    labels: labels,
                    buckets: Self.durationBuckets
                )
            )
        }
        counter.increment()
        histogram.record(duration)
    }

    func recordCallback(provider: String, outcome: String) {
        self.callbackCounter(provider: provider, outcome: outcome).increment()
    }

    @discardableResult
    private func callbackCounter(provider: String, outcome: String) -> Counter {
        self.handle(\.callbacks, CallbackKey(provider: provider, outcome: outcome)) {
            self.registry.makeCounter(
                descriptor: MetricNameDescriptor(
                    namespace: "smshub",
                    metricName: "callbacks",
                    unitName: "total",
                    helpText: "Provider callbacks by provider and outcome"
                ),
                labels: [("provider", provider), ("outcome", outcome)]
            )
        }
    }

    func recordIngestBatch(size: Int) {
        self.ingestBatchHistogram().record(Double(size))
    }

    private func ingestBatchHistogram() -> ValueHistogram {
        self.handles.withLock { handles in
            if let known = handles.ingestBatch { return known }
            let made =
                self.registry.makeValueHistogram(
                    descriptor: MetricNameDescriptor(
                        namespace: "smshub",
                        metricName: "ingest_batch",
                        unitName: "size",
                        helpText: "Callbacks committed per ingest transaction"
                    ),
                    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256]
                ) as ValueHistogram
            handles.ingestBatch = made
            return made
        }
    }

    /// Outbound provider calls by kind (the Gateway's `send`, `report`, `mo`, `balance`; the others'
    /// `<provider>_send`, `<provider>_balance`, `submail_timestamp`) and outcome (`ok`, `refused`,
    /// `answered` for an answer its adapter reads, or an `OutboundFailure` code).
    func recordOutboundCall(kind: String, outcome: String) {
        self.outboundCounter(kind: kind, outcome: outcome).increment()
    }

    @discardableResult
    private func outboundCounter(kind: String, outcome: String) -> Counter {
        self.handle(\.outbound, CallbackKey(provider: kind, outcome: outcome)) {
            self.registry.makeCounter(
                descriptor: MetricNameDescriptor(
                    namespace: "smshub",
                    metricName: "outbound_calls",
                    unitName: "total",
                    helpText: "Provider API calls by kind and outcome"
                ),
                labels: [("kind", kind), ("outcome", outcome)]
            )
        }
    }

    /// Webhook delivery attempts by outcome: `delivered`, `http_error` (an answer other than 2xx),
    /// `no_answer` (unreachable, timed out, refused by the egress policy), `gave_up` (the last attempt failed).
    func recordWebhookAttempt(outcome: String) {
        self.webhookAttemptCounter(outcome: outcome).increment()
    }

    @discardableResult
    private func webhookAttemptCounter(outcome: String) -> Counter {
        self.handle(\.outbound, CallbackKey(provider: "webhook", outcome: outcome)) {
            self.registry.makeCounter(
                descriptor: MetricNameDescriptor(
                    namespace: "smshub",
                    metricName: "webhook_attempts",
                    unitName: "total",
                    helpText: "Webhook delivery attempts by outcome"
                ),
                labels: [("outcome", outcome)]
            )
        }
    }

    func recordWebhookEndpointDisabled() {
        self.count("webhook_endpoints_disabled")
    }

    /// Outcomes of calls made under a lease another instance had taken over: discarded, not written.
    func recordStaleDispatchOutcome() {
        self.count("dispatch_stale_outcomes")
    }

    /// An account's circuit breaker paused it (`paused`) or its calls succeed again (`!paused`). The
    /// gauge counts the accounts this instance last saw paused.
    func recordCircuit(account: String, paused: Bool) {
        self.recordCircuitGauge(account: account, paused: paused)
        if paused { self.count("outbound_circuit_opened") }
    }

    private func recordCircuitGauge(account: String? = nil, paused: Bool = false) {
        let (gauge, count) = self.handles.withLock { handles in
            if let account { if paused { handles.pausedAccounts.insert(account) } else { handles.pausedAccounts.remove(account) } }
            if handles.pausedGauge == nil {
                handles.pausedGauge = self.registry.makeGauge(
                    descriptor: MetricNameDescriptor(
                        namespace: "smshub",
                        metricName: "outbound_accounts_paused",
                        unitName: "",
                        helpText: "Provider accounts whose circuit breaker is open, as this instance last saw them"
                    )
                )
            }
            return (handles.pausedGauge, handles.pausedAccounts.count)
        }
        gauge?.set(Double(count))
    }

    /// Whether lists read from the replica, and how old its data was at the last check.
    func recordReadReplica(inUse: Bool, staleness: Duration?) {
        let descriptor = { (name: String, unit: String, help: String) in
            MetricNameDescriptor(namespace: "smshub", metricName: name, unitName: unit, helpText: help)
        }
        let value: Double = inUse ? 1 : 0
        self.registry.makeGauge(descriptor: descriptor("read_replica_in_use", "", "1 while lists and the summary read from the replica")).set(value)
        self.registry.makeGauge(
            descriptor: descriptor("read_replica_staleness", "seconds", "How old the replica's data was at the last check; -1 when unknown")
        ).set(Double(staleness.map(\.inSeconds) ?? -1))
    }

    private func count(_ name: String) {
        self.namedCounter(name, help: Self.namedCounters.first { $0.0 == name }?.1 ?? name).increment()
    }

    @discardableResult
    private func namedCounter(_ name: String, help: String) -> Counter {
        self.handle(\.named, name) {
            self.registry.makeCounter(descriptor: MetricNameDescriptor(namespace: "smshub", metricName: name, unitName: "total", helpText: help))
        }
    }

    package func exposition() -> String {
        self.registry.emitToString()
    }
}
