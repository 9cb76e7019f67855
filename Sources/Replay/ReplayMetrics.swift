import EventModel
import Prometheus
import Reporting

/// A run's live metrics in Prometheus form (`--metrics-listen`), named as the
/// recorder's are (`hookreel_replay_...`) and labelled with the run's name and,
/// when sharded, its shard. Counts are kept as they happen, so once the run
/// has ended the histograms hold exactly the requests of its result.
///
/// Made only when asked for: every completion then costs three histogram
/// observations (a lock each), which a run without metrics does not pay.
public final class ReplayMetrics: Sendable {
    /// Bucket bounds for latency, service time and schedule lag: from half a
    /// millisecond (a fast receiver on loopback) to a minute (the default timeout).
    public static let buckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500),
        .seconds(5), .seconds(10), .seconds(30), .seconds(60),
    ]

    /// Every metric this type exports, for dashboards and their test.
    public static let names = [
        "hookreel_replay_requests_scheduled_total", "hookreel_replay_requests_sent_total",
        "hookreel_replay_requests_completed_total", "hookreel_replay_transport_errors_total",
        "hookreel_replay_in_flight", "hookreel_replay_target_rate", "hookreel_replay_achieved_rate",
        "hookreel_replay_latency_seconds", "hookreel_replay_service_time_seconds", "hookreel_replay_schedule_lag_seconds",
    ]

    private let registry = PrometheusCollectorRegistry()
    private let scheduled: Counter
    private let sent: Counter
    /// Answers by status class: index 1 holds 1xx, ... index 5 holds 5xx.
    private let answered: [Counter]
    private let transportErrors: [ErrorClass: Counter]
    private let inFlight: Gauge
    private let targetRate: Gauge
    private let achievedRate: Gauge
    private let latency: DurationHistogram
    private let serviceTime: DurationHistogram
    private let scheduleLag: DurationHistogram

    /// - Parameters:
    ///   - runName: the `run` label (`--run-name`).
    ///   - shard: adds the `shard` label (its index) when the run is one shard of several.
    public init(runName: String, shard: Shard?) {
        var labels = [("run", runName)]
        if let shard { labels.append(("shard", String(shard.index))) }
        let registry = registry
        func counter(_ name: String, _ help: String, extra: [(String, String)] = []) -> Counter {
            registry.makeCounter(descriptor: Self.descriptor(name, help), labels: labels + extra)
        }
        func gauge(_ name: String, _ help: String) -> Gauge {
            registry.makeGauge(descriptor: Self.descriptor(name, help), labels: labels)
        }
        func histogram(_ name: String, _ help: String) -> DurationHistogram {
            registry.makeDurationHistogram(descriptor: Self.descriptor(name, help), labels: labels, buckets: Self.buckets)
        }
        scheduled = counter("hookreel_replay_requests_scheduled_total", "Requests the schedule released to be sent.")
        sent = counter("hookreel_replay_requests_sent_total", "Requests handed to a connection at their send time.")
        answered = (0...5).map { digit in
            counter("hookreel_replay_requests_completed_total", "Requests answered over HTTP, by status class.",
                    extra: [("class", digit == 0 ? "other" : "\(digit)xx")])
        }
        transportErrors = Dictionary(uniqueKeysWithValues: ErrorClass.allCases.map { kind in
            (kind, counter("hookreel_replay_transport_errors_total", "Requests that got no HTTP answer, by cause.",
                           extra: [("kind", kind.rawValue)]))
        })
        inFlight = gauge("hookreel_replay_in_flight", "Requests released by the schedule and not yet answered.")
        targetRate = gauge("hookreel_replay_target_rate", "The rate this process's schedule asks for now, requests per second.")
        achievedRate = gauge("hookreel_replay_achieved_rate", "Requests released in the last second.")
        latency = histogram("hookreel_replay_latency_seconds", "Answer time measured from the scheduled send time.")
        serviceTime = histogram("hookreel_replay_service_time_seconds", "Answer time measured from the actual send.")
        scheduleLag = histogram("hookreel_replay_schedule_lag_seconds", "How late requests were sent against the schedule.")
    }

    private static func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    func released(_ count: Int) { scheduled.increment(by: Int64(count)) }

    func sending() { sent.increment() }

    /// On an event loop, as the sample is recorded in the run's statistics.
    func completed(_ sample: RequestSample) {
        switch sample.outcome {
        case .status(let status):
            let digit = status / 100
            answered[(1...5).contains(digit) ? digit : 0].increment()
        case .error(let kind):
            transportErrors[kind]?.increment()
        }
        latency.record(max(.zero, sample.completed - sample.intended))
        serviceTime.record(max(.zero, sample.completed - sample.sent))
        scheduleLag.record(max(.zero, sample.sent - sample.intended))
    }

    /// The gauges, from a progress reading, the rate of its last second and
    /// the rate the schedule asks for now (nil without a rate schedule).
    func update(_ progress: ReplayProgress, achievedRate rate: Double, targetRate target: Double?) {
        inFlight.set(Int64(progress.inFlight))
        achievedRate.set(rate)
        if let target { targetRate.set(target) }
    }

    /// Prometheus text exposition (format 0.0.4).
    public func exposition() -> [UInt8] {
        var bytes: [UInt8] = []
        registry.emit(into: &bytes)
        return bytes
    }
}
