import Primitives

/// Numbers for people: durations in µs/ms/s, rates, percentages and byte sizes.
/// Done by hand (no locale, no `String(format:)`), so output is the same everywhere.
public enum HumanUnits {
    /// 4 significant digits in the largest unit that keeps the number >= 1: "850µs", "312.4ms", "1.5s".
    static func duration(microseconds: Double) -> String {
        DurationText.format(microseconds: microseconds, significantDigits: 4)
    }

    public static func duration(_ duration: Duration) -> String {
        self.duration(microseconds: Double(duration.wholeMicroseconds))
    }

    /// Requests per second with one decimal: "998.7/s".
    static func rate(_ perSecond: Double) -> String { DecimalText.fixed(perSecond, places: 1) + "/s" }

    /// 3 significant digits: "1.67%", "0.0123%", "100%".
    static func percent(_ percent: Double) -> String { DecimalText.trimmed(percent, significantDigits: 3) + "%" }

    /// Percentage points, the difference of two percentages, with 3 significant digits: "0.5 points".
    static func points(_ points: Double) -> String { DecimalText.trimmed(points, significantDigits: 3) + " points" }

    /// `format` of the magnitude after the sign of `value`: "+16.2ms", "-20.0/s", "0µs".
    static func signed(_ value: Double, _ format: (Double) -> String) -> String {
        (value > 0 ? "+" : value < 0 ? "-" : "") + format(value.magnitude)
    }

    /// Binary units with one decimal: "512 B", "12.3 MiB".
    static func bytes(_ count: Int64) -> String {
        let units = ["KiB", "MiB", "GiB", "TiB"]
        guard count >= 1024 else { return "\(count) B" }
        var value = Double(count) / 1024
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return DecimalText.fixed(value, places: 1) + " " + units[unit]
    }
}
