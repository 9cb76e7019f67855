import EventModel
import Logging
@testable import Receiver
import Testing
import TestSupport

/// The metric names the recorder and the sink declare (which the Grafana
/// dashboard is checked against) are exactly those they export once every
/// kind of event has happened.
@Suite struct MetricNamesTests {
    @Test func recorderDeclaresWhatItExports() {
        let metrics = RecorderMetrics(logger: Logger(label: "test"))
        metrics.countRequest(status: 202, signature: .valid, bodyBytes: 10)
        metrics.recordLog(wrote: 1, bytes: 10)
        metrics.recordLog(synced: .microseconds(300))
        metrics.recordLog(sealed: "segment")
        metrics.recordLog(openSegmentBytes: 10)
        metrics.countSkipped(type: "job.started")
        let exported = prometheusMetricNames(in: String(decoding: metrics.exposition(), as: UTF8.self))
        #expect(exported == Set(RecorderMetrics.names))
    }

    @Test func sinkDeclaresWhatItExports() {
        let metrics = SinkMetrics(logger: Logger(label: "test"), isRecording: true)
        metrics.countAnswer(status: 202)
        metrics.countSignature(.valid)
        metrics.countDuplicate()
        metrics.countOrderViolation()
        metrics.recordLog(wrote: 1, bytes: 10)
        let exported = prometheusMetricNames(in: String(decoding: metrics.exposition(), as: UTF8.self))
        #expect(exported == Set(SinkMetrics.names))
    }
}
