import Foundation

/// How long the sink holds each answer, as `--latency` spells it: `20ms`
/// (constant), `uniform(10ms,30ms)`, `exponential(20ms)` (the mean) or
/// `lognormal(20ms,0.5)` (the median, and sigma of the latency's logarithm:
/// 0.5 puts p90 at about 1.9x the median).
public enum LatencyDistribution: Sendable, Equatable, CustomStringConvertible {
    case constant(Duration)
    case uniform(min: Duration, max: Duration)
    case exponential(mean: Duration)
    case lognormal(median: Duration, sigma: Double)

    /// Samples are capped here: a long-tailed distribution must not hold an answer for days.
    public static let maximumSample: Duration = .seconds(3600)

    static let option = "--latency"

    public init(parsing text: String) throws(SinkOptionError) {
        func failure(_ reason: String) -> SinkOptionError { SinkOptionError(option: Self.option, value: text, reason: reason) }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let open = trimmed.firstIndex(of: "(") else {
            guard let duration = parseDuration(trimmed) else {
                throw failure("expected a duration (e.g. 20ms), uniform(min,max), exponential(mean) or lognormal(median,sigma)")
            }
            self = .constant(duration)
            return
        }
        guard trimmed.hasSuffix(")") else { throw failure("expected ')' at the end") }
        let name = String(trimmed[..<open])
        let arguments = trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)]
            .split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        func duration(_ argument: String, _ role: String) throws(SinkOptionError) -> Duration {
            guard let duration = parseDuration(argument) else { throw failure("\(role) '\(argument)' is not a duration (e.g. 20ms, 1.5s)") }
            return duration
        }
        switch name {
        case "uniform":
            guard arguments.count == 2 else { throw failure("expected two arguments: min and max") }
            let (low, high) = (try duration(arguments[0], "min"), try duration(arguments[1], "max"))
            guard low <= high else { throw failure("min \(arguments[0]) is more than max \(arguments[1])") }
            self = .uniform(min: low, max: high)
        case "exponential":
            guard arguments.count == 1 else { throw failure("expected one argument: the mean") }
            self = .exponential(mean: try duration(arguments[0], "mean"))
        case "lognormal":
            guard arguments.count == 2 else { throw failure("expected two arguments: median and sigma") }
            let median = try duration(arguments[0], "median")
            guard let sigma = Double(arguments[1]), sigma >= 0, sigma <= 10 else {
                throw failure("sigma '\(arguments[1])' must be a number from 0 to 10")
            }
            self = .lognormal(median: median, sigma: sigma)
        default:
            throw failure("unknown distribution '\(name)': expected uniform, exponential or lognormal")
        }
    }

    /// One latency drawn from the distribution (at most `maximumSample`).
    public func sample(using generator: inout some RandomNumberGenerator) -> Duration {
        let seconds: Double
        switch self {
        case .constant(let duration):
            return min(duration, Self.maximumSample)
        case .uniform(let low, let high):
            seconds = low.seconds + (high.seconds - low.seconds) * Double.random(in: 0..<1, using: &generator)
        case .exponential(let mean):
            // Inverse transform; 1 - u is in (0, 1], so the log is finite.
            seconds = -mean.seconds * log(1 - Double.random(in: 0..<1, using: &generator))
        case .lognormal(let median, let sigma):
            // Box-Muller gives one standard normal from two uniforms.
            let u1 = 1 - Double.random(in: 0..<1, using: &generator)
            let u2 = Double.random(in: 0..<1, using: &generator)
            let normal = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
            seconds = median.seconds * exp(sigma * normal)
        }
        return seconds.isFinite && seconds < Self.maximumSample.seconds ? .seconds(max(0, seconds)) : Self.maximumSample
    }

    public var description: String {
        switch self {
        case .constant(let duration): formatDuration(duration)
        case .uniform(let low, let high): "uniform(\(formatDuration(low)),\(formatDuration(high)))"
        case .exponential(let mean): "exponential(\(formatDuration(mean)))"
        case .lognormal(let median, let sigma): "lognormal(\(formatDuration(median)),\(sigma))"
        }
    }
}

/// A sink option that cannot be used: the option, the value given, and why.
public struct SinkOptionError: Error, Sendable, Equatable, CustomStringConvertible {
    public let option: String
    public let value: String
    public let reason: String

    public init(option: String, value: String, reason: String) {
        self.option = option
        self.value = value
        self.reason = reason
    }

    public var description: String { "\(option) '\(value)': \(reason)" }
}

/// A duration as the command line writes them (`250ms`, `1.5s`, `10m`, `1h`,
/// `500us`), like the `hookreel` options do; nil when it is not one.
func parseDuration(_ text: String) -> Duration? {
    let units: [(suffix: String, seconds: Double)] = [("ms", 1e-3), ("us", 1e-6), ("µs", 1e-6), ("s", 1), ("m", 60), ("h", 3600)]
    guard let unit = units.first(where: { text.hasSuffix($0.suffix) }),
          let value = Double(text.dropLast(unit.suffix.count)), value >= 0, value.isFinite
    else { return nil }
    let seconds = value * unit.seconds
    return seconds < 1e9 ? .nanoseconds(Int64((seconds * 1e9).rounded())) : nil
}

/// `20ms`, `1.5s`, `250us`: the shortest of the units `parseDuration` reads.
func formatDuration(_ duration: Duration) -> String {
    let seconds = duration.seconds
    func trimmed(_ value: Double) -> String {
        let text = String(format: "%.3f", value)
        return text.contains(".") ? String(text.reversed().drop(while: { $0 == "0" }).drop(while: { $0 == "." }).reversed()) : text
    }
    if seconds >= 1 || seconds == 0 { return trimmed(seconds) + "s" }
    if seconds >= 1e-3 { return trimmed(seconds * 1e3) + "ms" }
    return trimmed(seconds * 1e6) + "us"
}

