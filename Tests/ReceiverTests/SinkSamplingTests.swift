import Primitives
@testable import Receiver
import Testing
import TestSupport

struct SinkSamplingTests {
    private func samples(_ distribution: Distribution, count: Int = 20_001, seed: UInt64 = 7) -> [Double] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in
            let duration = AnswerPlanner.hold(distribution, using: &generator)
            return Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
        }.sorted()
    }

    @Test func lognormalHasTheGivenMedianAndSpread() {
        let sorted = samples(.lognormal(median: .milliseconds(20), sigma: 0.5))
        let median = sorted[sorted.count / 2]
        #expect(abs(median - 0.020) < 0.020 * 0.03, "median \(median)")
        // p90 of a lognormal is median * exp(1.2816 sigma).
        let p90 = sorted[sorted.count * 9 / 10]
        #expect(abs(p90 / median - 1.897) < 0.06, "p90/median \(p90 / median)")
        #expect(sorted.first! > 0)
    }

    @Test func exponentialHasTheGivenMean() {
        let values = samples(.exponential(mean: .milliseconds(20)))
        let mean = values.reduce(0, +) / Double(values.count)
        #expect(abs(mean - 0.020) < 0.020 * 0.03, "mean \(mean)")
        // The median of an exponential is mean * ln 2.
        #expect(abs(values[values.count / 2] - 0.020 * 0.6931) < 0.020 * 0.03)
    }

    @Test func uniformStaysWithinItsBoundsAndSpreadsEvenly() {
        let values = samples(.uniform(min: .milliseconds(10), max: .milliseconds(30)))
        #expect(values.first! >= 0.010 && values.last! < 0.030)
        #expect(abs(values[values.count / 4] - 0.015) < 0.0005)
        #expect(abs(values[values.count / 2] - 0.020) < 0.0005)
    }

    @Test func longTailsAreCappedAndConstantsExact() {
        var generator = SeededGenerator(seed: 1)
        let huge = Distribution.lognormal(median: .seconds(3000), sigma: 10)
        #expect((0..<200).allSatisfy { _ in AnswerPlanner.hold(huge, using: &generator) <= AnswerPlanner.longestHold })
        #expect(AnswerPlanner.hold(.constant(.milliseconds(20)), using: &generator) == .milliseconds(20))
    }

    private func planner(errorRate: Double, latency: Distribution = .constant(.zero), seed: UInt64) -> AnswerPlanner {
        var configuration = SinkConfiguration()
        configuration.errorRate = errorRate
        configuration.errorStatus = 503
        configuration.responseStatus = 202
        configuration.latency = latency
        return AnswerPlanner(configuration: configuration, seed: seed)
    }

    @Test(arguments: [0.0, 0.05, 0.5, 1.0])
    func realizesTheErrorRate(rate: Double) {
        let planner = planner(errorRate: rate, seed: 42)
        let plans = (0..<20_000).map { _ in planner.plan(isSignatureRejected: false) }
        let errors = plans.filter { $0.status == 503 }.count
        #expect(plans.allSatisfy { $0.status == 503 || $0.status == 202 })
        #expect(abs(Double(errors) / 20_000 - rate) <= 0.006, "\(errors) errors")
    }

    @Test func sameSeedRepeatsTheFaultsAndLatencyLeavesErrorsAlone() {
        let lognormal = Distribution.lognormal(median: .milliseconds(20), sigma: 0.5)
        let first = planner(errorRate: 0.2, latency: lognormal, seed: 9)
        let again = planner(errorRate: 0.2, latency: lognormal, seed: 9)
        let otherSeed = planner(errorRate: 0.2, latency: lognormal, seed: 10)
        let otherLatency = planner(errorRate: 0.2, latency: .exponential(mean: .seconds(1)), seed: 9)
        let plans = (0..<200).map { _ in first.plan(isSignatureRejected: false) }
        #expect((0..<200).map { _ in again.plan(isSignatureRejected: false) } == plans)
        #expect((0..<200).map { _ in otherSeed.plan(isSignatureRejected: false) } != plans)
        #expect((0..<200).map { _ in otherLatency.plan(isSignatureRejected: false).status } == plans.map(\.status))
    }

    @Test func rejectedSignaturesAreAnswered401AndStillDraw() {
        let first = planner(errorRate: 0.5, seed: 3)
        let second = planner(errorRate: 0.5, seed: 3)
        #expect(first.plan(isSignatureRejected: true).status == 401)
        _ = second.plan(isSignatureRejected: false)
        #expect((0..<50).map { _ in first.plan(isSignatureRejected: false) } == (0..<50).map { _ in second.plan(isSignatureRejected: false) })
    }
}
