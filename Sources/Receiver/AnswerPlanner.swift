import Primitives
import Synchronization

/// Decides each delivery's answer as it arrives: its status (the configured
/// one, the error status at the configured rate, or 401 for a rejected
/// signature) and how long to hold it. Latency and errors draw from separate
/// generators, so changing `--latency` leaves which deliveries fail unchanged;
/// with one seed and one arrival order, a run repeats exactly.
final class AnswerPlanner: Sendable {
    struct Plan: Equatable {
        var status: Int
        var latency: Duration
    }

    /// The status of a delivery whose signature `--require-signature` rejects.
    static let unauthorizedStatus = 401

    /// Answers are held this long at most: a long-tailed distribution must not
    /// hold one for days.
    static let longestHold: Duration = .seconds(3600)

    private let latency: Distribution
    private let errorRate: Double
    private let errorStatus: Int
    private let responseStatus: Int
    private let generators: Mutex<(latency: SplitMix64, errors: SplitMix64)>

    init(configuration: SinkConfiguration, seed: UInt64) {
        latency = configuration.latency
        errorRate = configuration.errorRate
        errorStatus = configuration.errorStatus
        responseStatus = configuration.responseStatus
        // Distinct streams from one seed (SplitMix64 seeds differing in many bits).
        generators = Mutex((SplitMix64(seed: seed), SplitMix64(seed: seed ^ 0x5DEE_CE66_D1CE_B00C)))
    }

    /// Every delivery draws once from each generator, rejected or not, so one
    /// rejection does not shift the faults of all later deliveries.
    func plan(isSignatureRejected: Bool) -> Plan {
        let (delay, isError) = generators.withLock { generators in
            (Self.hold(latency, using: &generators.latency), Double.random(in: 0..<1, using: &generators.errors) < errorRate)
        }
        let status = isSignatureRejected ? Self.unauthorizedStatus : isError ? errorStatus : responseStatus
        return Plan(status: status, latency: delay)
    }

    /// One draw from `latency`, at most `longestHold`.
    static func hold(_ latency: Distribution, using random: inout SplitMix64) -> Duration {
        // A constant is held exactly, not through seconds as a Double.
        if case .constant(let duration) = latency { return min(duration, longestHold) }
        let seconds = latency.sample(using: &random)
        return seconds.isFinite && seconds < longestHold.seconds ? .seconds(max(0, seconds)) : longestHold
    }
}
