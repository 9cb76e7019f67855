#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small, fast, seedable generator (Steele, Lea and Flood's SplitMix64):
/// Poisson arrivals, storms and the sink's faults must repeat for a given seed.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform value in [0, 1) from the top 53 bits.
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) / 9_007_199_254_740_992
    }

    /// An exponentially distributed value with mean 1.
    public mutating func nextExponential() -> Double {
        // 53 random bits in (0, 1]: never log(0).
        let unit = (Double(next() >> 11) + 1) / 9_007_199_254_740_992
        return -log(unit)
    }

    /// A standard normal value (Box–Muller; −ln U is nextExponential()).
    public mutating func nextStandardNormal() -> Double {
        (2 * nextExponential()).squareRoot() * cos(2 * Double.pi * nextUnit())
    }
}
