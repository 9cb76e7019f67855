import EventModel
import Logging
import Metrics
import Primitives
import Prometheus
import SegmentStore
import Synchronization

/// The recorder's metrics (served as Prometheus text on `GET /metrics`) and
/// its lifecycle log lines. Metrics go through swift-metrics, backed by a
/// registry of this recorder's own, so several recorders in one process do
/// not share counters.
final class RecorderMetrics: RecordLogObserver, Sendable {
    /// Every metric this type exports, for dashboards and their test.
    static let names = [
        "hookreel_record_requests_total", "hookreel_record_received_bytes_total", "hookreel_record_records_written_total",
        "hookreel_record_fsync_seconds", "hookreel_record_segments_sealed_total", "hookreel_record_open_segment_bytes",
        "hookreel_record_skipped_total",
    ]

    let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    private let logger: Logger

    private let bytesReceived: Metrics.Counter
    private let recordsWritten: Metrics.Counter
    private let fsyncDuration: Metrics.Timer
    private let segmentsSealed: Metrics.Counter
    private let openSegmentBytes: Metrics.Meter
    /// Whether the last write failed; failures are logged once per burst.
    private let isFailing = Mutex(false)

    init(logger: Logger) {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["hookreel_record_fsync_seconds"] = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2),
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        ]
        self.factory = factory
        self.logger = logger
        bytesReceived = Metrics.Counter(label: "hookreel_record_received_bytes_total", factory: factory)
        recordsWritten = Metrics.Counter(label: "hookreel_record_records_written_total", factory: factory)
        fsyncDuration = Metrics.Timer(label: "hookreel_record_fsync_seconds", preferredDisplayUnit: .seconds, factory: factory)
        segmentsSealed = Metrics.Counter(label: "hookreel_record_segments_sealed_total", factory: factory)
        openSegmentBytes = Metrics.Meter(label: "hookreel_record_open_segment_bytes", factory: factory)
    }

    /// Counts one answered request by status and signature verdict.
    func countRequest(status: Int, signature: SignatureVerdict?, bodyBytes: Int) {
        let key = RequestKey(status: status, signature: signature?.rawValue ?? "none")
        let counter = requestCounters.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = Metrics.Counter(label: "hookreel_record_requests_total",
                                  dimensions: [("status", String(status)), ("signature", key.signature)], factory: factory)
            counters[key] = counter
            return counter
        }
        counter.increment()
        bytesReceived.increment(by: bodyBytes)
    }

    private struct RequestKey: Hashable {
        let status: Int
        let signature: String
    }

    /// Made once per (status, verdict): the registry lookup is too slow per request.
    private let requestCounters = Mutex<[RequestKey: Metrics.Counter]>([:])
    private let skippedCounters = Mutex<[String: Metrics.Counter]>([:])

    /// Counts a delivery `--only-type`/`--skip-type` left out, by its type:
    /// one of the catalog's, `other` for any other (the label set stays
    /// bounded whatever senders write), `none` without one.
    func countSkipped(type: String?) {
        let label = type.map { EventCatalog.isKnown(EventType(rawValue: $0)) ? $0 : "other" } ?? "none"
        skippedCounters.withLock { counters in
            if let counter = counters[label] { return counter }
            let counter = Metrics.Counter(label: "hookreel_record_skipped_total", dimensions: [("type", label)], factory: factory)
            counters[label] = counter
            return counter
        }.increment()
    }

    /// Whether writes currently succeed (what `GET /healthz` reports).
    var canWrite: Bool { !isFailing.withLock { $0 } }

    /// Prometheus text exposition.
    func exposition() -> [UInt8] {
        var bytes: [UInt8] = []
        registry.emit(into: &bytes)
        return bytes
    }

    // MARK: RecordLogObserver

    func recordLog(wrote records: Int, bytes: Int) {
        recordsWritten.increment(by: records)
        let recovered = isFailing.withLock { failing in
            defer { failing = false }
            return failing
        }
        if recovered { logger.notice("writes succeed again") }
    }

    func recordLog(synced duration: Duration) {
        fsyncDuration.recordNanoseconds(duration.nanoseconds)
    }

    func recordLog(sealed segment: String) {
        segmentsSealed.increment()
        logger.info("sealed segment", metadata: ["segment": "\(segment)"])
    }

    func recordLog(openSegmentBytes bytes: Int64) {
        openSegmentBytes.set(bytes)
    }

    func recordLog(failed error: SegmentStoreError) {
        let isNewBurst = isFailing.withLock { failing in
            defer { failing = true }
            return !failing
        }
        if isNewBurst {
            logger.error("cannot write the recording; answering 503 until writes succeed", metadata: ["error": "\(error)"])
        }
    }
}

extension Duration {
    var nanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}
