import EventModel
import Primitives
import Testing
@testable import Replay

@Suite struct PacingTests {
    private func times(_ pacer: inout some Pacer, recordedAt offsetsInMs: [Int64]) -> [SendTime?] {
        let base: Int64 = 1_700_000_000_000_000
        return offsetsInMs.map { pacer.nextSendTime(recordedAt: Timestamp(microsecondsSinceEpoch: base + $0 * 1000)) }
    }

    @Test(arguments: [
        // (speed, max gap ms, recorded offsets ms, expected send offsets ms)
        (1.0, nil, [0, 100, 350, 350, 1350], [0, 100, 350, 350, 1350]),
        (2.0, nil, [0, 100, 350, 1350], [0, 50, 175, 675]),
        (0.5, nil, [0, 100], [0, 200]),
        (1.0, 200, [0, 100, 5100, 5150], [0, 100, 300, 350]),
        (4.0, 200, [0, 5000, 5400], [0, 50, 100]),
        // Backwards gaps (a loop's next pass) count as zero, and the next gap
        // is measured from the latest time seen.
        (1.0, nil, [1000, 2000, 0, 500, 2500], [0, 1000, 1000, 1000, 1500]),
    ] as [(Double, Int64?, [Int64], [Int64])])
    func originalTiming(speed: Double, maxGapMs: Int64?, recorded: [Int64], expected: [Int64]) {
        var pacer = OriginalTimingPacer(speed: speed, maximumGap: maxGapMs.map { .milliseconds($0) })
        #expect(times(&pacer, recordedAt: recorded) == expected.map { .at(.milliseconds($0)) })
    }

    @Test(arguments: [
        // (rate/s, number of events, expected offsets ms)
        (1000.0, 4, [0.0, 1, 2, 3]),
        (4.0, 3, [0.0, 250, 500]),
        (0.5, 2, [0.0, 2000]),
    ])
    func constantUniformRate(rate: Double, count: Int, expectedMs: [Double]) {
        var pacer = RatePacer(curve: ArrivalCurve(startRate: rate), process: .uniform, seed: 1)
        let sent = times(&pacer, recordedAt: Array(repeating: 0, count: count))
        #expect(sent == expectedMs.map { .at(.nanoseconds(Int64(($0 * 1e6).rounded()))) })
    }

    @Test func rampFromZeroFollowsTheIntegralOfTheRate() throws {
        // 0 -> 100/s over 10 s: cumulative count n(t) = 5 t², so event n is at sqrt(n / 5) s.
        let curve = ArrivalCurve(startRate: 0, stages: [.init(duration: .seconds(10), targetRate: 100)])
        for count in [1.0, 5, 20, 125, 499, 499.9] {
            let time = try #require(curve.time(atCumulativeCount: count))
            #expect(abs(time.seconds - (count / 5).squareRoot()) < 1e-9, "count \(count)")
        }
        #expect(curve.time(atCumulativeCount: 500) == nil, "the end of the last stage is not in it")
        #expect(curve.meanRate == 50)
        #expect(curve.plannedDuration == .seconds(10))
    }

    @Test func stagesChainRampsHoldsAndRampDowns() throws {
        // 10/s, then 10 -> 30 over 2 s (40 events), hold 30 for 1 s (30), down to 0 over 2 s (30).
        let curve = ArrivalCurve(startRate: 10, stages: [
            .init(duration: .seconds(2), targetRate: 30),
            .init(duration: .seconds(1), targetRate: 30),
            .init(duration: .seconds(2), targetRate: 0),
        ])
        let checks: [(count: Double, seconds: Double)] = [
            (0, 0), (40, 2), (55, 2.5), (70, 3),
            // Ramp down: 30 t - 7.5 t² = 15 -> t = (30 - sqrt(450)) / 15.
            (85, 3 + (30 - 450.0.squareRoot()) / 15), (99.99, 5 - (2 * 0.01 / 15).squareRoot()),
        ]
        for check in checks {
            let time = try #require(curve.time(atCumulativeCount: check.count))
            #expect(abs(time.seconds - check.seconds) < 1e-9, "count \(check.count)")
        }
        #expect(curve.time(atCumulativeCount: 100) == nil)
        #expect(curve.meanRate == 20)
    }

    @Test func rampRealizesThePlannedCountWithUniformArrivals() {
        var pacer = RatePacer(curve: ArrivalCurve(startRate: 0, stages: [.init(duration: .seconds(4), targetRate: 1000)]),
                              process: .uniform, seed: 1)
        var sent: [Duration] = []
        while case .at(let time)? = pacer.nextSendTime(recordedAt: Timestamp(microsecondsSinceEpoch: 0)) { sent.append(time) }
        #expect(sent.count == 2000, "the 2000 planned arrivals, the first at 0")
        #expect(sent == sent.sorted())
        // First half of the time carries a quarter of the events.
        #expect(sent.filter { $0 < .seconds(2) }.count == 500)
    }

    @Test func poissonArrivalsAreSeededAndHaveTheRightMeanAndSpread() {
        func run(seed: UInt64) -> [Duration] {
            var pacer = RatePacer(curve: ArrivalCurve(startRate: 1000), process: .poisson, seed: seed)
            return (0..<20_000).compactMap {
                if case .at(let time)? = pacer.nextSendTime(recordedAt: Timestamp(microsecondsSinceEpoch: Int64($0))) { return time }
                return nil
            }
        }
        let first = run(seed: 42)
        #expect(first == run(seed: 42))
        #expect(first != run(seed: 43))
        let gaps = zip(first.dropFirst(), first).map { ($0 - $1).seconds }
        let mean = gaps.reduce(0, +) / Double(gaps.count)
        let variance = gaps.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(gaps.count)
        // Exponential gaps: mean 1 ms and standard deviation equal to the mean (within 3 %).
        #expect(abs(mean - 0.001) < 0.00003)
        #expect(abs(variance.squareRoot() - 0.001) < 0.00003)
    }

    @Test func closedLoopSendsImmediately() {
        var pacer = ClosedLoopPacer(concurrency: 8)
        #expect(pacer.nextSendTime(recordedAt: Timestamp(microsecondsSinceEpoch: 5)) == .immediately)
        #expect(pacer.targetRate == nil)
    }

    @Test func summariesDescribeThePacing() {
        #expect(OriginalTimingPacer(speed: 2, maximumGap: .seconds(5)).summary == "original timing x2, gaps capped at 5s")
        #expect(RatePacer(curve: ArrivalCurve(startRate: 500), process: .poisson, seed: 0).summary == "constant 500/s (poisson)")
        #expect(RatePacer(curve: ArrivalCurve(startRate: 0, stages: [.init(duration: .seconds(30), targetRate: 1000)]),
                          process: .uniform, seed: 0).summary == "stages from 0/s: 30s→1000/s (uniform)")
    }
}
