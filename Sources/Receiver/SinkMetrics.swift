import EventModel
import Logging
import Metrics
import Prometheus
import SegmentStore
import Synchronization

/// The sink's metrics, served as Prometheus text on `GET /metrics`, from a
/// registry of this sink's own (as `RecorderMetrics` does); and, with
/// `--record`, the record log's observer.
final class SinkMetrics: RecordLogObserver, Sendable {
    /// Every metric this type exports, for dashboards and their test.
    static let names = [
        "hookreel_sink_requests_total", "hookreel_sink_signatures_total", "hookreel_sink_duplicate_events_total",
        "hookreel_sink_order_violations_total", "hookreel_sink_records_written_total",
    ]

    private let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    private let logger: Logger
    private let duplicates: Metrics.Counter
    private let orderViolations: Metrics.Counter
    /// Only with `--record`.
    private let recordsWritten: Metrics.Counter?
    /// Made once per label value: the registry lookup is too slow per request.
    private let statusCounters = Mutex<[Int: Metrics.Counter]>([:])
    private let verdictCounters = Mutex<[SignatureVerdict: Metrics.Counter]>([:])
    /// Whether the last record write failed; failures are logged once per burst.
    private let isFailing = Mutex(false)

    init(logger: Logger, isRecording: Bool) {
        factory = PrometheusMetricsFactory(registry: registry)
        self.logger = logger
        duplicates = Metrics.Counter(label: "hookreel_sink_duplicate_events_total", factory: factory)
        orderViolations = Metrics.Counter(label: "hookreel_sink_order_violations_total", factory: factory)
        recordsWritten = isRecording ? Metrics.Counter(label: "hookreel_sink_records_written_total", factory: factory) : nil
    }

    func countAnswer(status: Int) {
        counter(for: status, in: statusCounters, label: "hookreel_sink_requests_total", dimension: ("status", String(status))).increment()
    }

    func countSignature(_ verdict: SignatureVerdict) {
        counter(for: verdict, in: verdictCounters, label: "hookreel_sink_signatures_total", dimension: ("verdict", verdict.rawValue)).increment()
    }

    func countDuplicate() { duplicates.increment() }
    func countOrderViolation() { orderViolations.increment() }

    private func counter<Key: Hashable & Sendable>(
        for key: Key, in counters: borrowing Mutex<[Key: Metrics.Counter]>, label: String, dimension: (String, String)
    ) -> Metrics.Counter {
        counters.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = Metrics.Counter(label: label, dimensions: [dimension], factory: factory)
            counters[key] = counter
            return counter
        }
    }

    /// Prometheus text exposition.
    func exposition() -> [UInt8] {
        var bytes: [UInt8] = []
        registry.emit(into: &bytes)
        return bytes
    }

    // MARK: RecordLogObserver (answers never wait for records, so failures are only logged)

    func recordLog(wrote records: Int, bytes: Int) {
        recordsWritten?.increment(by: records)
        let recovered = isFailing.withLock { failing in
            defer { failing = false }
            return failing
        }
        if recovered { logger.notice("recording writes succeed again") }
    }

    func recordLog(synced duration: Duration) {}

    func recordLog(sealed segment: String) {
        logger.info("sealed segment", metadata: ["segment": "\(segment)"])
    }

    func recordLog(openSegmentBytes bytes: Int64) {}

    func recordLog(failed error: SegmentStoreError) {
        let isNewBurst = isFailing.withLock { failing in
            defer { failing = true }
            return !failing
        }
        if isNewBurst { logger.error("cannot write the recording; deliveries are still answered", metadata: ["error": "\(error)"]) }
    }
}
