import Foundation
import Primitives

extension Distribution {
    static let latencyOption = "--latency"

    /// How long the sink holds each answer, as `--latency` spells it: `20ms`
    /// (constant), `uniform(10ms,30ms)`, `exponential(20ms)` (the mean) or
    /// `lognormal(20ms,0.5)` (the median, and sigma of the latency's logarithm:
    /// 0.5 puts p90 at about 1.9x the median).
    public init(latencyOption text: String) throws(SinkOptionError) {
        func failure(_ reason: String) -> SinkOptionError {
            SinkOptionError(option: Self.latencyOption, value: text, reason: reason)
        }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let open = trimmed.firstIndex(of: "(") else {
            guard let duration = try? DurationText.parse(trimmed) else {
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
            guard let duration = try? DurationText.parse(argument) else {
                throw failure("\(role) '\(argument)' is not a duration (e.g. 20ms, 1.5s)")
            }
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

    /// The distribution as `--latency` spells it (for the start-up log).
    public var latencyOptionText: String {
        switch self {
        case .constant(let duration): DurationText.format(duration)
        case .uniform(let low, let high): "uniform(\(DurationText.format(low)),\(DurationText.format(high)))"
        case .exponential(let mean): "exponential(\(DurationText.format(mean)))"
        case .normal(let mean, let stddev): "normal(\(DurationText.format(mean)),\(DurationText.format(stddev)))"
        case .lognormal(let median, let sigma): "lognormal(\(DurationText.format(median)),\(sigma))"
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
