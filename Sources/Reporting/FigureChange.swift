import Primitives

/// What a compared figure (or the change a threshold bounds) counts, and how people read it.
public enum FigureUnit: String, Sendable {
    case requests
    case requestsPerSecond = "requests/s"
    case percent = "%"
    case microseconds = "us"

    /// "200", "199.8/s", "0.5%", "21.3ms".
    func format(_ value: Double) -> String {
        switch self {
        case .requests: DecimalText.fixed(value, places: 0)
        case .requestsPerSecond: HumanUnits.rate(value)
        case .percent: HumanUnits.percent(value)
        case .microseconds: HumanUnits.duration(microseconds: value)
        }
    }

    /// A difference of two values, signed; of two percentages, in points: "+16.2ms", "-0.5 points".
    func formatChange(_ change: Double) -> String {
        self == .percent ? HumanUnits.signed(change, HumanUnits.points) : HumanUnits.signed(change, format)
    }
}

/// (new - base) / base, in percent. From a base of 0 it is undefined ("n/a");
/// a threshold counts it as +∞ when the new value is above 0 (growth from
/// nothing exceeds every bound) and as 0 when both are 0.
public struct RelativeChange: Sendable, Equatable, CustomStringConvertible {
    public let base: Double
    public let new: Double

    public init(from base: Double, to new: Double) {
        self.base = base
        self.new = new
    }

    /// The change in percent of the base; nil when the base is 0.
    public var percent: Double? { base == 0 ? nil : (new - base) / base * 100 }

    /// What a relative threshold compares with its limit.
    var comparedPercent: Double { percent ?? (new > 0 ? .infinity : 0) }

    /// "+317%", "-10%", "0%"; "n/a" from a base of 0.
    public var description: String { percent.map { HumanUnits.signed($0, HumanUnits.percent) } ?? "n/a" }
}
