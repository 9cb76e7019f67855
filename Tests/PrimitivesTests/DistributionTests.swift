import Foundation
import Primitives
import Testing

@Suite struct DistributionTests {
    /// (distribution, expected mean in seconds, expected standard deviation in seconds).
    static let cases: [(Distribution, Double, Double)] = [
        (.constant(.seconds(5)), 5, 0),
        (.uniform(min: .seconds(2), max: .seconds(8)), 5, 6 / 12.0.squareRoot()),
        (.exponential(mean: .seconds(20)), 20, 20),
        (.normal(mean: .seconds(30), stddev: .seconds(5)), 30, 5),
        // Truncated at 0: mean 0 + σ·φ(0)/(1 − Φ(0)) = σ·√(2/π); variance σ²(1 − 2/π).
        (.normal(mean: .zero, stddev: .seconds(10)), 10 * (2 / Double.pi).squareRoot(), 10 * (1 - 2 / Double.pi).squareRoot()),
        // median·e^(σ²/2); sd = mean·√(e^(σ²) − 1).
        (.lognormal(median: .seconds(90), sigma: 0.5), 90 * exp(0.125), 90 * exp(0.125) * (exp(0.25) - 1).squareRoot()),
    ]

    @Test(arguments: cases)
    func sampleMomentsMatch(distribution: Distribution, mean: Double, stddev: Double) {
        var random = SplitMix64(seed: 7)
        let count = 200_000
        var (sum, sumOfSquares, smallest) = (0.0, 0.0, Double.infinity)
        for _ in 0..<count {
            let value = distribution.sample(using: &random)
            sum += value
            sumOfSquares += value * value
            smallest = min(smallest, value)
        }
        let sampleMean = sum / Double(count)
        let sampleStddev = (sumOfSquares / Double(count) - sampleMean * sampleMean).squareRoot()
        #expect(smallest >= 0)
        #expect(abs(distribution.mean - mean) < 1e-6 * max(1, mean), "closed-form mean")
        // Standard error of the mean is stddev/√n ≈ 0.0022·stddev: 5 of them.
        #expect(abs(sampleMean - mean) <= 5 * stddev / Double(count).squareRoot() + 1e-9)
        #expect(abs(sampleStddev - stddev) <= 0.02 * stddev + 1e-9)
    }

    @Test func lognormalMedianIsTheMedian() {
        var random = SplitMix64(seed: 11)
        let values = (0..<100_001).map { _ in Distribution.lognormal(median: .seconds(90), sigma: 0.5).sample(using: &random) }
        let median = values.sorted()[50_000]
        #expect(abs(median - 90) < 1)
    }

    @Test func sameSeedSameDraws() {
        var first = SplitMix64(seed: 3)
        var second = SplitMix64(seed: 3)
        let distribution = Distribution.normal(mean: .seconds(1), stddev: .seconds(2))
        #expect((0..<100).map { _ in distribution.sample(using: &first) }
                == (0..<100).map { _ in distribution.sample(using: &second) })
    }
}
