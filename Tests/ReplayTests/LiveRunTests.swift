import Delivery
import EventModel
import NIOCore
import Primitives
import Synchronization
import Reporting
import SegmentStore
import Testing
import TestSupport
@testable import Replay

/// What a run shows while it goes: its Prometheus metrics, and the
/// `--abort-on` checks that stop it.
@Suite(.serialized) struct LiveRunTests {
    private func configuration(events count: Int, rate: Double, target: TestTarget,
                               in directory: TemporaryDirectory) throws -> ReplayConfiguration {
        let path = directory.file("recording")
        try Recording.createDirectory(path)
        let writer = try SegmentWriter(directory: path, instance: "test-a")
        var factory = RecordFactory(seed: 11)
        for _ in 0..<count { try writer.append(factory.event(gapMicroseconds: 1000)) }
        try writer.seal()
        return ReplayConfiguration(
            recording: try Recording(path: path), target: try DeliveryTarget(url: target.url),
            pacer: RatePacer(curve: ArrivalCurve(startRate: rate), process: .uniform, seed: 1))
    }

    @Test func theMetricsCountEveryRequestOfTheResult() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // Every tenth request waits 30 ms, so the histograms have more than one bucket in use.
        let target = try await TestTarget.start(delay: { $0 % 10 == 0 ? .milliseconds(30) : nil })
        var configuration = try configuration(events: 300, rate: 1000, target: target, in: directory)
        let metrics = ReplayMetrics(runName: "nightly", shard: try Shard(index: 1, count: 3))
        configuration.metrics = metrics
        let result = try await ReplayEngine(configuration: configuration) { _ in }.run()
        try await target.stop()

        let text = String(decoding: metrics.exposition(), as: UTF8.self)
        #expect(prometheusMetricNames(in: text) == Set(ReplayMetrics.names))
        let labels = #"run="nightly",shard="1""#
        #expect(result.statistics.requests == 300)
        for name in ["latency", "service_time", "schedule_lag"] {
            #expect(prometheusSample("hookreel_replay_\(name)_seconds_count{\(labels)}", in: text) == 300, "\(name)")
        }
        #expect(prometheusSample("hookreel_replay_requests_scheduled_total{\(labels)}", in: text) == 300)
        #expect(prometheusSample("hookreel_replay_requests_sent_total{\(labels)}", in: text) == 300)
        #expect(prometheusSample(#"hookreel_replay_requests_completed_total{\#(labels),class="2xx"}"#, in: text) == 300)
        #expect(prometheusSample(#"hookreel_replay_transport_errors_total{\#(labels),kind="refused"}"#, in: text) == 0)
        // The 30 held requests lie above 25 ms; every request lies in the last bucket.
        let bucket25 = try #require(prometheusSample(#"hookreel_replay_latency_seconds_bucket{\#(labels),le="0.025"}"#, in: text))
        #expect(bucket25 <= 270)
        #expect(prometheusSample(#"hookreel_replay_latency_seconds_bucket{\#(labels),le="+Inf"}"#, in: text) == 300)
    }

    @Test func anAbortThresholdStopsTheRunAndMarksTheResult() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // Every other request is answered 500: 50% errors.
        let target = try await TestTarget.start(status: { $0 % 2 == 1 ? .internalServerError : .accepted })
        var configuration = try configuration(events: 2000, rate: 200, target: target, in: directory)
        configuration.abortOn = [try Threshold(parsing: "errors>5%"), try Threshold(parsing: "p99>1h")]
        configuration.abortGrace = .seconds(1)
        let told = Mutex<[RunAbort]>([])
        let start = ContinuousClock.now
        let result = try await ReplayEngine(configuration: configuration, onIssue: { _ in },
                                            onAbort: { abort in told.withLock { $0.append(abort) } }).run()
        let took = ContinuousClock.now - start
        try await target.stop()

        let abort = try #require(result.metadata.aborted)
        #expect(abort.threshold == "errors>5%")
        #expect(abort.second == 1, "checked first at the end of the grace period")
        #expect(abort.measurement.hasPrefix("errors were "))
        #expect(told.withLock { $0 } == [abort], "told once")
        #expect(took < .seconds(3), "stopped within 2 s of the grace period's end, took \(took)")
        #expect(result.statistics.requests < 2000 / 2)
        #expect(result.statistics.requests > 100)
        // The mark travels through the JSON and into the reports.
        let reread = try RunResult(jsonBytes: try result.jsonBytes(), source: "result.json")
        #expect(reread.metadata.aborted == abort)
        #expect(TextReport().render(result).contains("ABORTED: aborted at 1s: errors>5% breached"))
        #expect(HTMLReport().render(result).contains(#"<p class="warning aborted">"#))
    }

    /// A ramp from 0 sends little at first, as asked: `rate<90%` measures the
    /// sends against the ramp's own count so far, not its mean rate.
    @Test func aRampIsJudgedByItsOwnSlope() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let target = try await TestTarget.start()
        var configuration = try configuration(events: 2000, rate: 1, target: target, in: directory)
        configuration.pacer = RatePacer(curve: ArrivalCurve(startRate: 0, stages: [.init(duration: .seconds(3), targetRate: 300),
                                                                                   .init(duration: .seconds(30), targetRate: 300)]),
                                        process: .uniform, seed: 1)
        configuration.abortOn = [try Threshold(parsing: "rate<90%")]
        configuration.abortGrace = .seconds(1)
        configuration.duration = .seconds(4)
        let result = try await ReplayEngine(configuration: configuration) { _ in }.run()
        try await target.stop()
        #expect(result.metadata.aborted == nil, "\(String(describing: result.metadata.aborted))")
        #expect(result.statistics.requests > 600)
    }

    @Test func withoutABreachTheRunGoesToItsEnd() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let target = try await TestTarget.start()
        var configuration = try configuration(events: 300, rate: 200, target: target, in: directory)
        configuration.abortOn = [try Threshold(parsing: "errors>5%")]
        configuration.abortGrace = .milliseconds(200)
        let result = try await ReplayEngine(configuration: configuration) { _ in }.run()
        try await target.stop()
        #expect(result.metadata.aborted == nil)
        #expect(result.statistics.requests == 300)
    }
}
