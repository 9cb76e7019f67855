import Delivery
import EventModel
import Logging
import OrchestratorAPI
import Synchronization

/// What became of one event fanned out by `WebhookDispatcher.dispatch`.
public struct DispatchSummary: Sendable, Encodable, Equatable {
    /// The event's `Type`; nil when the body has none (then only webhooks
    /// subscribed to all events get it).
    public var type: String?
    /// Webhooks that answered 2xx.
    public var delivered: Int
    /// Webhooks that answered otherwise, timed out or could not be reached.
    public var failed: Int
    /// Webhooks whose circuit breaker was open: the event was dropped for them.
    public var breakerSkipped: Int
    /// Webhooks given that were disabled or not subscribed to the type.
    public var unsubscribed: Int
}

/// One webhook's delivery record, as `GET /hookreel/deliveries` reports it.
/// Pings are not counted: they are a test, not events.
public struct WebhookDeliveryCounts: Sendable, Codable, Equatable {
    public var webhookId: Int64
    public var delivered: Int
    public var failed: Int
    public var breakerSkipped: Int
    /// Set while the circuit breaker is open: events until then are dropped.
    public var breakerOpenUntil: Timestamp?
    /// Why the latest failed delivery failed (`HTTP 500`, `timeout`, ...).
    public var lastFailure: String?

    init(webhookId: Int64) {
        self.webhookId = webhookId
        delivered = 0
        failed = 0
        breakerSkipped = 0
    }
}

/// Delivers events to registered webhooks with Orchestrator's semantics
/// (docs/orchestrator-webhooks.md §1 and the decisions table): one signed POST per
/// event and subscribed webhook, a request timeout, success = any 2xx, no
/// retries, and a per-webhook circuit breaker that drops events for
/// `breakerPeriod` after a failed delivery.
public final class WebhookDispatcher: Sendable {
    private let poster: WebhookPoster
    private let breakerPeriodMicroseconds: Int64
    private let logger: Logger
    /// The breaker's clock, injectable so a test can move time.
    private let now: @Sendable () -> Timestamp
    private let records = Mutex<[Int64: WebhookDeliveryCounts]>([:])

    /// - Parameters:
    ///   - timeout: per delivery (Orchestrator: 60 s).
    ///   - breakerPeriod: how long a webhook is skipped after a failed delivery
    ///     (Automation Cloud: 1 h).
    ///   - maximumConnectionsPerHost: connections kept per receiver; further
    ///     concurrent deliveries to it wait for one (within their timeout).
    ///   - tls: how https receivers are verified (when a webhook does not allow
    ///     insecure SSL); nil: the system's trust roots.
    public init(timeout: Duration, breakerPeriod: Duration, logger: Logger, maximumConnectionsPerHost: Int = 8,
                tls: DeliveryTLS? = nil, now: @escaping @Sendable () -> Timestamp = Timestamp.now) {
        poster = WebhookPoster(timeout: timeout, maximumConnectionsPerHost: maximumConnectionsPerHost, tls: tls)
        let (seconds, attoseconds) = breakerPeriod.components
        breakerPeriodMicroseconds = seconds * 1_000_000 + attoseconds / 1_000_000_000_000
        self.logger = logger
        self.now = now
    }

    /// Sends a signed `ping` event to `webhook` and returns the body it sent,
    /// which the Ping action returns whether or not the receiver accepted it.
    /// It goes out even when the webhook is disabled or its breaker is open,
    /// and its outcome neither trips nor closes the breaker nor is counted:
    /// Ping is the user's manual check of a receiver (typically right after
    /// fixing one), not an event.
    public func ping(_ webhook: Webhook, eventId: String, timestamp: Timestamp,
                     tenantId: Int = 1, userId: Int? = nil) async -> [UInt8] {
        let body = PingEvent.body(eventId: eventId, timestamp: timestamp, tenantId: tenantId, userId: userId)
        if let reason = await post(body, to: webhook) {
            logger.warning("ping not accepted", metadata: [
                "webhook": "\(webhook.id)", "url": "\(webhook.url)", "reason": "\(reason)",
            ])
        }
        return body
    }

    /// Sends `eventBody`, as is, to every webhook in `webhooks` that is enabled
    /// and subscribed to its `Type`, concurrently; returns once every delivery
    /// has finished.
    public func dispatch(eventBody: [UInt8], to webhooks: [Webhook]) async -> DispatchSummary {
        let type = EventEnvelope(scanning: eventBody)?.type
        let recipients = webhooks.filter { webhook in
            webhook.enabled && (type.map(webhook.isSubscribed(to:)) ?? webhook.subscribeToAllEvents)
        }
        var summary = DispatchSummary(type: type, delivered: 0, failed: 0, breakerSkipped: 0,
                                      unsubscribed: webhooks.count - recipients.count)
        await withTaskGroup(of: DeliveryResult.self) { group in
            for webhook in recipients {
                group.addTask { await self.deliver(eventBody, to: webhook, type: type) }
            }
            for await result in group {
                switch result {
                case .delivered: summary.delivered += 1
                case .failed: summary.failed += 1
                case .breakerSkipped: summary.breakerSkipped += 1
                }
            }
        }
        return summary
    }

    /// Counts per webhook that has been sent (or skipped) an event, by id.
    public func deliveries() -> [WebhookDeliveryCounts] {
        let current = now()
        return records.withLock { records in
            records.values.sorted { $0.webhookId < $1.webhookId }.map { record in
                var record = record
                if let until = record.breakerOpenUntil, until <= current { record.breakerOpenUntil = nil }
                return record
            }
        }
    }

    /// Closes the connections; deliveries still running fail.
    public func shutdown() async {
        await poster.shutdown()
    }

    private enum DeliveryResult { case delivered, failed, breakerSkipped }

    private func deliver(_ body: [UInt8], to webhook: Webhook, type: String?) async -> DeliveryResult {
        let admittedAt = now()
        let isAdmitted = records.withLock { records in
            var record = records[webhook.id] ?? WebhookDeliveryCounts(webhookId: webhook.id)
            defer { records[webhook.id] = record }
            if let until = record.breakerOpenUntil, admittedAt < until {
                record.breakerSkipped += 1
                return false
            }
            record.breakerOpenUntil = nil
            return true
        }
        guard isAdmitted else { return .breakerSkipped }

        guard let reason = await post(body, to: webhook) else {
            records.withLock { $0[webhook.id, default: WebhookDeliveryCounts(webhookId: webhook.id)].delivered += 1 }
            return .delivered
        }
        // Opened (or pushed back, when several deliveries were in flight) from
        // the failure, as Orchestrator's breaker.
        let until = Timestamp(microsecondsSinceEpoch: now().microsecondsSinceEpoch + breakerPeriodMicroseconds)
        records.withLock { records in
            var record = records[webhook.id] ?? WebhookDeliveryCounts(webhookId: webhook.id)
            record.failed += 1
            record.lastFailure = reason
            record.breakerOpenUntil = until
            records[webhook.id] = record
        }
        logger.warning("webhook delivery failed; circuit breaker open", metadata: [
            "webhook": "\(webhook.id)", "url": "\(webhook.url)", "type": "\(type ?? "")",
            "reason": "\(reason)", "until": "\(until)",
        ])
        return .failed
    }

    /// One POST with Orchestrator's headers (§1.2), signed with the webhook's
    /// own secret when it has one. Returns why it was not accepted (not a
    /// 2xx), or nil.
    private func post(_ body: [UInt8], to webhook: Webhook) async -> String? {
        var headers = OrchestratorHeaders.fields.map { (name: $0.name, value: $0.value) }
        if let secret = webhook.secret, !secret.isEmpty {
            headers.append((WebhookSignature.headerName, WebhookSignature(secret: secret).sign(body)))
        }
        switch await poster.post(url: webhook.url, headers: headers, body: body, allowInsecureSsl: webhook.allowInsecureSsl) {
        case .success(let status) where (200..<300).contains(status):
            return nil
        case .success(let status):
            return "HTTP \(status)"
        case .failure(let failure):
            return failure.description
        }
    }
}
