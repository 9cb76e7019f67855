import Primitives
import Testing

/// `schedule(at:)` is the inverse of `time(atCumulativeCount:)`: what a run
/// watching itself compares its sends with.
@Suite struct ArrivalCurveScheduleTests {
    @Test func aConstantRateCountsLinearly() {
        let curve = ArrivalCurve(startRate: 200)
        #expect(curve.schedule(at: .seconds(3)) == (count: 600, rate: 200))
        #expect(curve.schedule(at: .zero) == (count: 0, rate: 200))
    }

    @Test func aRampCountsItsAreaAndEndsAtZero() {
        // 0 -> 100/s over 10 s, then 100/s for 5 s.
        let curve = ArrivalCurve(startRate: 0, stages: [.init(duration: .seconds(10), targetRate: 100), .init(duration: .seconds(5), targetRate: 100)])
        #expect(curve.schedule(at: .seconds(4)) == (count: 80, rate: 40))
        #expect(curve.schedule(at: .seconds(12)) == (count: 700, rate: 100))
        #expect(curve.schedule(at: .seconds(20)) == (count: 1000, rate: 0))
    }

    @Test(arguments: [1.0, 37.5, 450, 849])
    func itInvertsTheTimeOfACount(count: Double) throws {
        let curve = ArrivalCurve(startRate: 10, stages: [.init(duration: .seconds(10), targetRate: 100), .init(duration: .seconds(5), targetRate: 20)])
        let time = try #require(curve.time(atCumulativeCount: count))
        #expect(abs(curve.schedule(at: time).count - count) < 1e-6)
    }
}
