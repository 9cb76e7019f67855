import Foundation
import Primitives
import Testing
import TestSupport
@testable import Reporting

@Suite struct RunStatisticsTests {
    @Test func latencyIsMeasuredFromTheScheduleNotFromTheSend() {
        // Sent 900 ms late, answered in 100 ms: latency 1 s, service time 100 ms, lag 900 ms.
        let recorded = statistics([sample(intended: 0, lag: 900, service: 100)])
        #expect(recorded.latency.max == .seconds(1))
        #expect(recorded.serviceTime.max == .milliseconds(100))
        #expect(recorded.scheduleLag.max == .milliseconds(900))
    }

    @Test func sendsBeforeTheirScheduleCountAsZeroLag() {
        let recorded = statistics([sample(intended: 100, lag: -5, service: 10)])
        #expect(recorded.scheduleLag.max == .zero)
        #expect(recorded.scheduleLag.count == 1)
    }

    @Test func countsOutcomesBytesAndSpans() {
        let recorded = statistics([
            sample(intended: 0, service: 10, outcome: .status(200), bytesSent: 100, bytesReceived: 1),
            sample(intended: 10, service: 10, outcome: .status(503), bytesSent: 200, bytesReceived: 2),
            sample(intended: 20, lag: 5, service: 3000, outcome: .error(.timeout), bytesSent: 300, bytesReceived: 0),
            sample(intended: 30, service: 10, outcome: .status(200), bytesSent: 400, bytesReceived: 4),
        ])
        #expect(recorded.requests == 4)
        #expect(recorded.statusCounts == [200: 2, 503: 1])
        #expect(recorded.errorCounts == [.timeout: 1])
        #expect(recorded.failedRequests == 2)
        #expect(recorded.bytesSent == 1000)
        #expect(recorded.bytesReceived == 7)
        #expect(recorded.intendedSpan == OffsetSpan(firstMicroseconds: 0, lastMicroseconds: 30_000))
        #expect(recorded.sentSpan == OffsetSpan(firstMicroseconds: 0, lastMicroseconds: 30_000))
        #expect(recorded.completedSpan == OffsetSpan(firstMicroseconds: 10_000, lastMicroseconds: 3_025_000))
    }

    @Test func perSecondSeriesBucketIntendedAndCompletedTimesSeparately() {
        let recorded = statistics([
            sample(intended: 100, service: 50),
            sample(intended: 900, service: 200, outcome: .status(500), bytesReceived: 7),  // completes in second 1
            sample(intended: 2500, service: 10, outcome: .error(.refused), bytesReceived: 0),
        ])
        #expect(recorded.scheduledPerSecond.map(\.scheduled) == [2, 0, 1])
        #expect(recorded.scheduledPerSecond[0].maxLatency.wholeMicroseconds >= 199_000)
        #expect(recorded.scheduledPerSecond[0].latency(atPercentile: 50).wholeMicroseconds < 51_000)
        #expect(recorded.scheduledPerSecond[1].maxLatency == .zero)
        #expect(recorded.completedPerSecond.map(\.completed) == [1, 1, 1])
        #expect(recorded.completedPerSecond.map(\.succeeded) == [1, 0, 0])
        #expect(recorded.completedPerSecond.map(\.failedStatus) == [0, 1, 0])
        #expect(recorded.completedPerSecond.map(\.transportErrors) == [0, 0, 1])
        #expect(recorded.completedPerSecond.map(\.bytesReceived) == [10, 7, 0])
    }

    @Test func mergeOfPartsEqualsRecordingAllSamples() {
        let samples = (0..<300).map { (index: Int) -> RequestSample in
            let outcome: RequestOutcome = index % 11 == 0 ? .error(.reset) : .status(index % 5 == 0 ? 500 : 200)
            return sample(intended: Double(index) * 13, lag: Double(index % 7), service: Double(index % 50) + 0.5, outcome: outcome)
        }
        var merged = statistics(samples.enumerated().filter { $0.offset % 3 == 0 }.map(\.element))
        merged.merge(statistics(samples.enumerated().filter { $0.offset % 3 != 0 }.map(\.element)))
        #expect(merged == statistics(samples))
        #expect(merged != statistics(Array(samples.dropLast())))
    }

    /// Property: however samples are split across tasks, merging the parts (directly
    /// or through JSON) gives exactly what one accumulator would.
    @Test(arguments: [1, 2, 3, 7] as [UInt64])
    func mergeIsExactForRandomSplits(seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        let samples = randomSamples(count: 2000, seconds: 20, using: &generator)
        let partCount = Int.random(in: 2...6, using: &generator)
        var parts = Array(repeating: RunStatistics(), count: partCount)
        for sample in samples { parts[Int.random(in: 0..<partCount, using: &generator)].record(sample) }

        var merged = RunStatistics()
        var mergedFromJSON = RunStatistics()
        for part in parts.shuffled(using: &generator) {
            merged.merge(part)
            mergedFromJSON.merge(try JSONDecoder().decode(RunStatistics.self, from: JSONEncoder().encode(part)))
        }
        let whole = statistics(samples)
        #expect(merged == whole)
        #expect(mergedFromJSON == whole)
        #expect(merged.latency.percentile(99) == whole.latency.percentile(99))
        #expect(merged.scheduledPerSecond.map { $0.latency(atPercentile: 90) } == whole.scheduledPerSecond.map { $0.latency(atPercentile: 90) })
    }

    @Test func jsonRoundTripIsEqual() throws {
        var generator = SeededGenerator(seed: 42)
        let recorded = statistics(randomSamples(count: 500, seconds: 5, using: &generator))
        let decoded = try JSONDecoder().decode(RunStatistics.self, from: JSONEncoder().encode(recorded))
        #expect(decoded == recorded)
        #expect(try JSONDecoder().decode(RunStatistics.self, from: JSONEncoder().encode(RunStatistics())) == RunStatistics())
    }
}
