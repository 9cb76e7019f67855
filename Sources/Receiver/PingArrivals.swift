import EventModel
import Synchronization

/// The `ping` deliveries the recorder received while someone waits for one:
/// `record --register` pings the webhook it registered and waits for that
/// ping to arrive, to know the tenant reaches the recorder with the right
/// secret. Costs one atomic load per delivery when nobody waits.
public final class PingArrivals: Sendable {
    private let isWatching = Atomic<Bool>(false)
    /// The verdict on each ping's signature, by EventId.
    private let arrived = Mutex<[String: SignatureVerdict]>([:])
    private let signature: WebhookSignature?

    init(secret: String?) {
        signature = secret.map(WebhookSignature.init(secret:))
    }

    /// Starts noting pings (before asking for one, which may arrive before the answer).
    public func watch() {
        isWatching.store(true, ordering: .releasing)
    }

    /// Stops noting pings and forgets those seen.
    public func stopWatching() {
        isWatching.store(false, ordering: .releasing)
        arrived.withLock { $0.removeAll() }
    }

    /// The verdict on the signature of the ping with `eventId`, once it has
    /// arrived; nil when it did not arrive within `timeout`.
    public func verdict(forPing eventId: String, within timeout: Duration) async -> SignatureVerdict? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let verdict = arrived.withLock({ $0[eventId] }) { return verdict }
            guard ContinuousClock.now < deadline else { return nil }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Called on the loop for every POST.
    func notice(_ request: ReceivedRequest) {
        guard isWatching.load(ordering: .acquiring) else { return }
        let body = request.bodyBytes
        guard let envelope = EventEnvelope(scanning: body), envelope.type == "ping", let eventId = envelope.eventId else { return }
        let verdict = signature.map { $0.verify(body, header: request.header(WebhookSignature.headerName)) } ?? .unchecked
        arrived.withLock { $0[eventId] = verdict }
    }
}
