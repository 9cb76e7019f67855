import Primitives

/// A `--fail-on` condition such as `p99>250ms`, `errors>0.5%` or `rate<95%`: the run
/// fails when the condition is true. A signed value (`p99>+10%`, `p99.9>+50ms`,
/// `errors>+0.5%`, `rate<-5%`) is a change from a base run, which only
/// `hookreel report diff` has.
///
/// Grammar (whitespace ignored): `metric comparison value`, where metric is `pN`
/// (a latency percentile, 0 < N <= 100), `mean` or `max` (latency from schedule) with a
/// duration value (`us`, `µs`, `ms`, `s`, `m`, `h`), or `errors` (failed requests, %)
/// or `rate` (achieved rate as % of the target rate) with a percentage value;
/// comparison is one of `>`, `>=`, `<`, `<=`. A leading `+` or `-` makes the value a
/// change: for latency a duration (`+50ms`) or a percentage of the base value
/// (`+10%`); for `errors` percentage points of the error ratio; for `rate` a
/// percentage of the base run's achieved rate (requests/s).
public struct Threshold: Sendable, CustomStringConvertible {
    /// The process exit status when a threshold is breached, for every command that takes `--fail-on`.
    public static let thresholdBreachedExitCode: Int32 = 3

    public enum Metric: Sendable, Equatable {
        /// A latency percentile, 0 < p <= 100.
        case percentile(Double)
        case mean, max
        /// Failed requests (transport errors and non-2xx) as a percentage of requests.
        case errors
        /// Achieved rate as a percentage of the target rate; as a change, of the achieved rate itself.
        case rate

        var takesDuration: Bool {
            switch self {
            case .percentile, .mean, .max: true
            case .errors, .rate: false
            }
        }
    }

    /// What the limit bounds: the run's value or its change from a base run.
    public enum Measure: Sendable, Equatable {
        /// The run's own value (the new run's in a diff): `p99>250ms`, `errors>0.5%`, `rate<95%`.
        case value
        /// The change from the base run in the metric's unit: `p99>+50ms` (µs), `errors>+0.5%` (percentage points).
        case change
        /// The change from the base run as a percentage of the base value: `p99>+10%`, `rate<-5%`.
        case relativeChange
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
    public let measure: Measure
    public let comparison: Comparison
    /// Microseconds for latency values and changes, percent for `errors` (points as
    /// a change), `rate` and every relative change; negative for a falling change.
    let limit: Double
    /// The condition as written, without whitespace.
    public let description: String

    /// Whether the condition is about a change from a base run (a signed value).
    public var comparesWithBase: Bool { measure != .value }

    /// - Parameter withBaseRun: whether the command has a base run (`report diff`);
    ///   without one a signed value is refused, naming it.
    public init(parsing text: String, withBaseRun: Bool = false) throws(ThresholdError) {
        let parser = ThresholdParser(text: text, withBaseRun: withBaseRun)
        (metric, measure, comparison, limit) = try parser.parse()
        description = parser.compact
    }

    /// The breach when the condition is true for `result` (against `base` for a
    /// change); nil when the run passes.
    public func breach(in result: RunResult, base: RunResult? = nil) -> ThresholdBreach? {
        let check = check(result, base: base)
        return check.isBreached ? ThresholdBreach(threshold: self, measurement: check.measurement) : nil
    }

    /// What the threshold measures in `result` (its change from `base` for a
    /// signed value), and whether its condition is true.
    public func check(_ result: RunResult, base: RunResult? = nil) -> ThresholdCheck {
        guard measure == .value else {
            guard let base else {
                // Only reachable when a caller parsed with a base run and then had none: never pass silently.
                return ThresholdCheck(measurement: "\(description) has no base run to compare with", isBreached: true)
            }
            return checkChange(from: base, to: result)
        }
        return check(ThresholdFigures(result))
    }

    /// What the threshold measures in `figures` (a finished run's, or a
    /// running one's so far), and whether its condition is true.
    public func check(_ figures: ThresholdFigures) -> ThresholdCheck {
        guard measure == .value else {
            return ThresholdCheck(measurement: "\(description) has no base run to compare with", isBreached: true)
        }
        let measured: Double
        let shown: String
        switch metric {
        case .percentile, .mean, .max:
            measured = metric.value(in: figures)
            shown = "\(metric.name) was \(metric.unit.format(measured))"
        case .errors:
            measured = metric.value(in: figures)
            shown = "errors were \(metric.unit.format(measured)) (\(figures.failedRequests) of \(figures.requests))"
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

    /// A change from `base` to `new`: "p99 went from 5.1ms to 21.3ms (+16.2ms, +317%)".
    private func checkChange(from base: RunResult, to new: RunResult) -> ThresholdCheck {
        let (before, after) = (metric.value(in: base), metric.value(in: new))
        let relative = RelativeChange(from: before, to: after)
        let measured = measure == .relativeChange ? relative.comparedPercent : after - before
        let relativeText = relative.percent == nil ? "no relative change from 0" : relative.description
        let shown = "\(metric.name) went from \(metric.unit.format(before)) to \(metric.unit.format(after))"
            + " (\(metric.unit.formatChange(after - before)), \(relativeText))"
        return ThresholdCheck(measurement: shown, isBreached: comparison.holds(measured, limit))
    }
}

extension Threshold.Metric {
    /// `p99`, `mean`, `max`, `errors`, `rate`.
    var name: String {
        switch self {
        case .percentile(let p): "p" + DecimalText.trimmed(p, significantDigits: 6)
        case .mean: "mean"
        case .max: "max"
        case .errors: "errors"
        case .rate: "rate"
        }
    }

    /// The figure a change is measured on: latency in whole microseconds, errors
    /// in percent of requests, rate as the achieved requests per second.
    func value(in result: RunResult) -> Double {
        value(in: ThresholdFigures(result))
    }

    func value(in figures: ThresholdFigures) -> Double {
        let latency = figures.latency
        return switch self {
        case .percentile(let p): Double(latency.percentile(p).wholeMicroseconds)
        case .mean: Double(latency.mean.wholeMicroseconds)
        case .max: Double(latency.max.wholeMicroseconds)
        case .errors: figures.errorRatio * 100
        case .rate: figures.achievedRate
        }
    }

    /// The unit of `value(in:)`, which says how to show it and its change.
    var unit: FigureUnit {
        switch self {
        case .percentile, .mean, .max: .microseconds
        case .errors: .percent
        case .rate: .requestsPerSecond
        }
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
    public var achievedFractionOfTarget: Double? {
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

/// A `--fail-on` text that is not a threshold; the message quotes it, says where
/// the problem is and what it is.
public struct ThresholdError: Error, CustomStringConvertible, Equatable {
    /// The text as given.
    public let text: String
    /// The character of `text` (counted from 1) where the problem starts, one past
    /// its end when something is missing there; nil for an empty text.
    public let position: Int?
    public let reason: String

    public var description: String {
        guard let position else { return "threshold '\(text)': \(reason)" }
        let place = position > text.count ? "at the end" : "at character \(position)"
        return "threshold '\(text)' \(place): \(reason)"
    }
}

/// Reads `metric comparison value`, ignoring whitespace.
private struct ThresholdParser {
    /// The text as given, for messages.
    let text: String
    let withBaseRun: Bool
    /// `text` without whitespace, and where each of its characters is in `text` (counted from 1).
    private let characters: [Character]
    private let positions: [Int]

    private static let metricsHelp = "expected pN (such as p99 or p99.9), mean, max, errors or rate"

    init(text: String, withBaseRun: Bool) {
        self.text = text
        self.withBaseRun = withBaseRun
        let kept = text.enumerated().filter { !$0.element.isWhitespace }
        characters = kept.map(\.element)
        positions = kept.map { $0.offset + 1 }
    }

    /// The threshold as written, without whitespace.
    var compact: String { String(characters) }

    func parse() throws(ThresholdError) -> (Threshold.Metric, Threshold.Measure, Threshold.Comparison, Double) {
        guard !characters.isEmpty else { throw failure(at: nil, "empty; \(Self.metricsHelp), then a comparison and a value, such as p99>250ms") }
        let operatorStart = characters.firstIndex { "<>=".contains($0) } ?? characters.count
        let name = String(characters[..<operatorStart])
        let metric = try metric(named: name)
        let comparison = try comparison(at: operatorStart, after: name)
        let valueStart = operatorStart + comparison.rawValue.count
        let sign = valueStart < characters.count && "+-".contains(characters[valueStart]) ? characters[valueStart] : nil
        if sign != nil, !withBaseRun {
            throw failure(at: valueStart, "'\(String(characters[valueStart...]))' is a change from a base run (a signed value); "
                + "only 'hookreel report diff' has one")
        }
        let numberStart = valueStart + (sign == nil ? 0 : 1)
        guard numberStart < characters.count, characters[numberStart].isASCII,
              characters[numberStart].isNumber || characters[numberStart] == "."
        else { throw failure(at: numberStart, sign.map { "expected a number after '\($0)'" } ?? "expected a value after '\(comparison.rawValue)'") }
        let numberEnd = characters[numberStart...].firstIndex { !($0.isASCII && ($0.isNumber || $0 == ".")) } ?? characters.count
        let value = Value(sign: sign.map { String($0) } ?? "", number: String(characters[numberStart..<numberEnd]),
                          unit: String(characters[numberEnd...]), numberStart: numberStart, unitStart: numberEnd)
        let direction = sign == "-" ? -1.0 : 1.0
        if metric.takesDuration {
            if value.unit == "%" {
                guard sign != nil else {
                    let hint = withBaseRun ? " (a change from the base run is signed: +\(value.number)%)" : ""
                    throw failure(at: value.unitStart, "\(name) takes a duration such as 250ms, not a percentage\(hint)")
                }
                return (metric, .relativeChange, comparison, direction * (try number(value)))
            }
            return (metric, sign == nil ? .value : .change, comparison, direction * (try microseconds(value)))
        }
        guard value.unit == "%" else {
            throw failure(at: value.unitStart, "\(name) takes a percentage such as \(value.sign)\(value.number)%, got '\(value.text)'")
        }
        // A change of `errors` (itself a percentage) is in percentage points; of `rate`, relative to the base.
        let measure: Threshold.Measure = sign == nil ? .value : metric == .errors ? .change : .relativeChange
        return (metric, measure, comparison, direction * (try number(value)))
    }

    /// A value's parts and where they start in `characters`.
    private struct Value {
        let sign, number, unit: String
        let numberStart, unitStart: Int
        var text: String { sign + number + unit }
    }

    private func metric(named name: String) throws(ThresholdError) -> Threshold.Metric {
        switch name {
        case "": throw failure(at: 0, "expected a metric before the comparison (\(Self.metricsHelp))")
        case "mean": return .mean
        case "max": return .max
        case "errors": return .errors
        case "rate": return .rate
        default:
            guard name.hasPrefix("p") else { throw failure(at: 0, "unknown metric '\(name)' (\(Self.metricsHelp))") }
            let digits = name.dropFirst()
            guard !digits.isEmpty else { throw failure(at: 1, "expected a percentile after 'p', such as p99") }
            guard let p = Double(digits), p.isFinite, digits.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }) else {
                throw failure(at: 0, "'\(name)' is not a percentile (\(Self.metricsHelp))")
            }
            guard p > 0, p <= 100 else { throw failure(at: 1, "percentile \(digits) is outside 0-100 (exclusive of 0)") }
            return .percentile(p)
        }
    }

    /// The longest comparison at `start`.
    private func comparison(at start: Int, after name: String) throws(ThresholdError) -> Threshold.Comparison {
        let rest = characters[start...]
        guard let comparison = Threshold.Comparison.allCases
            .filter({ rest.starts(with: $0.rawValue) })
            .max(by: { $0.rawValue.count < $1.rawValue.count })
        else { throw failure(at: start, "expected a comparison (>, >=, <, <=) after '\(name)'") }
        return comparison
    }

    private func microseconds(_ value: Value) throws(ThresholdError) -> Double {
        let units = value.sign.isEmpty ? "us, ms, s, m or h" : "%, us, ms, s, m or h"
        guard !value.unit.isEmpty else {
            let example = value.sign.isEmpty ? "\(value.number)ms" : "\(value.sign)\(value.number)% or \(value.sign)\(value.number)ms"
            throw failure(at: value.unitStart, "expected a unit after '\(value.number)' (\(units)), such as \(example)")
        }
        guard DurationText.isUnit(value.unit) else {
            throw failure(at: value.unitStart, "unknown unit '\(value.unit)' in '\(value.text)' (expected \(units))")
        }
        let duration: Duration
        do {
            duration = try DurationText.parse(value.number + value.unit)
        } catch {
            throw failure(at: value.numberStart,
                          error == .tooLong ? "\(value.number)\(value.unit) is longer than a year" : "'\(value.number)' is not a number")
        }
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1e6 + Double(attoseconds) / 1e12
    }

    private func number(_ value: Value) throws(ThresholdError) -> Double {
        guard let amount = Double(value.number), amount.isFinite else { throw failure(at: value.numberStart, "'\(value.number)' is not a number") }
        return amount
    }

    /// `index` is into `characters`; the error names the character of `text` it stands for.
    private func failure(at index: Int?, _ reason: String) -> ThresholdError {
        ThresholdError(text: text, position: index.map { $0 < positions.count ? positions[$0] : text.count + 1 }, reason: reason)
    }
}
