import Primitives

/// A `--fail-on` condition such as `p99>250ms`, `errors>0.5%` or `rate<95%`: the run
/// fails when the condition is true.
///
/// Grammar (whitespace ignored): `metric comparison value`, where metric is `pN`
/// (a latency percentile, 0 < N <= 100), `mean` or `max` (latency from schedule) with a
/// duration value (`us`, `µs`, `ms`, `s`, `m`, `h`), or `errors` (failed requests, %)
/// or `rate` (achieved rate as % of the target rate) with a percentage value;
/// comparison is one of `>`, `>=`, `<`, `<=`.
public struct Threshold: Sendable, CustomStringConvertible {
    /// The process exit status when a threshold is breached, for every command that takes `--fail-on`.
    public static let thresholdBreachedExitCode: Int32 = 3

    public enum Metric: Sendable, Equatable {
        /// A latency percentile, 0 < p <= 100.
        case percentile(Double)
        case mean, max
        /// Failed requests (transport errors and non-2xx) as a percentage of requests.
        case errors
        /// Achieved rate as a percentage of the target rate.
        case rate

        var takesDuration: Bool {
            switch self {
            case .percentile, .mean, .max: true
            case .errors, .rate: false
            }
        }
    }

    public enum Comparison: String, Sendable, CaseIterable {
        case greater = ">", greaterOrEqual = ">=", less = "<", lessOrEqual = "<="

        func holds(_ measured: Double, _ limit: Double) -> Bool {
            switch self {
            case .greater: measured > limit
            case .greaterOrEqual: measured >= limit
            case .less: measured < limit
            case .lessOrEqual: measured <= limit
            }
        }
    }

    public let metric: Metric
    public let comparison: Comparison
    /// Microseconds for latency metrics, percent for `errors` and `rate`.
    let limit: Double
    /// The condition as written, without whitespace.
    public let description: String

    public init(parsing text: String) throws(ThresholdError) {
        let compact = String(text.unicodeScalars.filter { !$0.properties.isWhitespace })
        var parser = ThresholdParser(text: compact)
        (metric, comparison, limit) = try parser.parse()
        description = compact
    }

    /// The breach when the condition is true for `result`; nil when the run passes.
    public func breach(in result: RunResult) -> ThresholdBreach? {
        let check = check(result)
        return check.isBreached ? ThresholdBreach(threshold: self, measurement: check.measurement) : nil
    }

    /// What the threshold measures in `result`, and whether its condition is true.
    public func check(_ result: RunResult) -> ThresholdCheck {
        check(ThresholdFigures(result))
    }

    /// What the threshold measures in `figures` (a finished run's, or a
    /// running one's so far), and whether its condition is true.
    public func check(_ figures: ThresholdFigures) -> ThresholdCheck {
        let latency = figures.latency
        let measured: Double
        let shown: String
        switch metric {
        case .percentile(let p):
            measured = Double(latency.percentile(p).wholeMicroseconds)
            shown = "\(ThresholdParser.percentileName(p)) was \(HumanUnits.duration(microseconds: measured))"
        case .mean:
            measured = Double(latency.mean.wholeMicroseconds)
            shown = "mean was \(HumanUnits.duration(microseconds: measured))"
        case .max:
            measured = Double(latency.max.wholeMicroseconds)
            shown = "max was \(HumanUnits.duration(microseconds: measured))"
        case .errors:
            measured = figures.errorRatio * 100
            shown = "errors were \(HumanUnits.percent(measured)) (\(figures.failedRequests) of \(figures.requests))"
        case .rate:
            guard let fraction = figures.achievedFractionOfTarget, let target = figures.targetRate else {
                // A rate gate on a run without a target cannot pass silently.
                return ThresholdCheck(measurement: "rate has no target rate to compare with (closed loop)", isBreached: true)
            }
            measured = fraction * 100
            shown = "rate was \(HumanUnits.percent(measured)) of the target (\(HumanUnits.rate(figures.achievedRate)) of \(HumanUnits.rate(target)))"
        }
        return ThresholdCheck(measurement: shown, isBreached: comparison.holds(measured, limit))
    }
}

/// The figures thresholds are checked against: a finished run's, or a running
/// one's so far (`--abort-on`).
public struct ThresholdFigures: Sendable {
    public var latency: LatencyHistogram
    /// Completed requests.
    public var requests: Int
    /// Non-2xx answers and transport errors.
    public var failedRequests: Int
    /// Requests per second.
    public var achievedRate: Double
    /// The rate asked for; nil for a closed loop.
    public var targetRate: Double?

    public init(latency: LatencyHistogram, requests: Int, failedRequests: Int, achievedRate: Double, targetRate: Double?) {
        self.latency = latency
        self.requests = requests
        self.failedRequests = failedRequests
        self.achievedRate = achievedRate
        self.targetRate = targetRate
    }

    public init(_ result: RunResult) {
        self.init(latency: result.statistics.latency, requests: result.statistics.requests,
                  failedRequests: result.statistics.failedRequests, achievedRate: result.achievedRate,
                  targetRate: result.metadata.targetRate)
    }

    var errorRatio: Double { requests == 0 ? 0 : Double(failedRequests) / Double(requests) }

    /// achievedRate / targetRate; nil without a positive target or with fewer than two requests.
    var achievedFractionOfTarget: Double? {
        guard let targetRate, targetRate > 0, requests > 1 else { return nil }
        return achievedRate / targetRate
    }
}

/// What a threshold measured in a run, in words, and whether its condition was true.
public struct ThresholdCheck: Sendable, Equatable {
    /// e.g. "p99 was 312.4ms".
    public let measurement: String
    public let isBreached: Bool
}

/// A threshold whose condition was true, e.g. "p99 was 312.4ms, limit p99>250ms".
public struct ThresholdBreach: Sendable, CustomStringConvertible {
    public let threshold: Threshold
    /// What was measured, in words.
    public let measurement: String

    public var description: String { "\(measurement), limit \(threshold)" }
}

/// A `--fail-on` text that is not a threshold; the message quotes it and says what is wrong.
public struct ThresholdError: Error, CustomStringConvertible, Equatable {
    public let text: String
    public let reason: String

    public var description: String { "threshold '\(text)': \(reason)" }
}

/// Reads `metric comparison value` from whitespace-free text.
private struct ThresholdParser {
    let text: String

    private static let metricsHelp = "expected pN (such as p99 or p99.9), mean, max, errors or rate"

    static func percentileName(_ p: Double) -> String {
        "p" + DecimalText.trimmed(p, significantDigits: 6)
    }

    mutating func parse() throws(ThresholdError) -> (Threshold.Metric, Threshold.Comparison, Double) {
        guard !text.isEmpty else { throw failure("empty; \(Self.metricsHelp), then a comparison and a value, such as p99>250ms") }
        let operatorStart = text.firstIndex { "<>=".contains($0) } ?? text.endIndex
        let name = String(text[..<operatorStart])
        let metric = try metric(named: name)
        let rest = text[operatorStart...]
        guard let comparison = Threshold.Comparison.allCases
            .filter({ rest.hasPrefix($0.rawValue) })
            .max(by: { $0.rawValue.count < $1.rawValue.count })
        else { throw failure("expected a comparison (>, >=, <, <=) after '\(name)'") }
        let value = rest.dropFirst(comparison.rawValue.count)
        guard let first = value.first, first.isASCII, first.isNumber || first == "." else {
            throw failure("expected a value after '\(comparison.rawValue)'")
        }
        let limit = metric.takesDuration
            ? try microseconds(String(value), metric: name)
            : try percentage(String(value), metric: name)
        return (metric, comparison, limit)
    }

    private func metric(named name: String) throws(ThresholdError) -> Threshold.Metric {
        switch name {
        case "": throw failure("expected a metric before the comparison (\(Self.metricsHelp))")
        case "mean": return .mean
        case "max": return .max
        case "errors": return .errors
        case "rate": return .rate
        default:
            guard name.hasPrefix("p") else { throw failure("unknown metric '\(name)' (\(Self.metricsHelp))") }
            let digits = name.dropFirst()
            guard !digits.isEmpty else { throw failure("expected a percentile after 'p', such as p99") }
            guard let p = Double(digits), p.isFinite, digits.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }) else {
                throw failure("'\(name)' is not a percentile (\(Self.metricsHelp))")
            }
            guard p > 0, p <= 100 else { throw failure("percentile \(digits) is outside 0-100 (exclusive of 0)") }
            return .percentile(p)
        }
    }

    private func microseconds(_ value: String, metric: String) throws(ThresholdError) -> Double {
        let (number, unit) = split(value)
        if unit == "%" { throw failure("\(metric) takes a duration such as 250ms, not a percentage") }
        guard !unit.isEmpty else { throw failure("expected a unit after '\(number)' (us, ms, s, m or h), such as \(number)ms") }
        guard DurationText.isUnit(unit) else {
            throw failure("unknown unit '\(unit)' in '\(value)' (expected us, ms, s, m or h)")
        }
        let duration: Duration
        do {
            duration = try DurationText.parse(value)
        } catch {
            throw failure(error == .tooLong ? "\(value) is longer than a year" : "'\(number)' is not a number")
        }
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1e6 + Double(attoseconds) / 1e12
    }

    private func percentage(_ value: String, metric: String) throws(ThresholdError) -> Double {
        let (number, unit) = split(value)
        guard unit == "%" else { throw failure("\(metric) takes a percentage such as \(number)%, got '\(value)'") }
        guard let amount = Double(number), amount.isFinite else { throw failure("'\(number)' is not a number") }
        return amount
    }

    /// The leading digits and dots, and what follows them.
    private func split(_ value: String) -> (number: String, unit: String) {
        let end = value.firstIndex { !($0.isASCII && ($0.isNumber || $0 == ".")) } ?? value.endIndex
        return (String(value[..<end]), String(value[end...]))
    }

    private func failure(_ reason: String) -> ThresholdError {
        ThresholdError(text: text, reason: reason)
    }
}
