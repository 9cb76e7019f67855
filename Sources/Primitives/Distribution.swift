#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A distribution of non-negative durations: a storm's lifecycle phases and
/// event lag, the sink's answer latency.
public enum Distribution: Sendable, Equatable {
    case constant(Duration)
    /// Uniform on [min, max].
    case uniform(min: Duration, max: Duration)
    case exponential(mean: Duration)
    /// Normal, truncated at 0: negative draws are redrawn, so no phase takes negative time. `mean` must be >= 0.
    case normal(mean: Duration, stddev: Duration)
    /// exp(N(ln median, sigma²)): long right tail, the usual shape of processing times.
    case lognormal(median: Duration, sigma: Double)

    /// Each kind's name, as scenarios (`dist:`) and the sink's `--latency` write it.
    public static let names = ["constant", "uniform", "exponential", "normal", "lognormal"]

    /// One draw, in seconds.
    public func sample(using random: inout SplitMix64) -> Double {
        switch self {
        case .constant(let value):
            return value.seconds
        case .uniform(let low, let high):
            return low.seconds + random.nextUnit() * (high.seconds - low.seconds)
        case .exponential(let mean):
            return mean.seconds * random.nextExponential()
        case .normal(let mean, let stddev):
            // With mean >= 0 each draw is accepted with probability >= 1/2; the loader enforces it.
            precondition(mean >= .zero, "a truncated normal needs a mean of at least 0")
            while true {
                let value = mean.seconds + stddev.seconds * random.nextStandardNormal()
                if value >= 0 { return value }
            }
        case .lognormal(let median, let sigma):
            return median.seconds * exp(sigma * random.nextStandardNormal())
        }
    }

    /// The expected value of a draw, in seconds.
    public var mean: Double {
        switch self {
        case .constant(let value):
            return value.seconds
        case .uniform(let low, let high):
            return (low.seconds + high.seconds) / 2
        case .exponential(let mean):
            return mean.seconds
        case .normal(let mean, let stddev):
            let (mu, sigma) = (mean.seconds, stddev.seconds)
            guard sigma > 0 else { return mu }
            // Mean of N(mu, sigma²) truncated to [0, inf): mu + sigma·φ(α)/(1 − Φ(α)), α = −mu/sigma.
            let alpha = -mu / sigma
            let density = exp(-alpha * alpha / 2) / (2 * Double.pi).squareRoot()
            let tail = erfc(alpha / 2.0.squareRoot()) / 2
            return mu + sigma * density / tail
        case .lognormal(let median, let sigma):
            return median.seconds * exp(sigma * sigma / 2)
        }
    }
}
