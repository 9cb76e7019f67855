import Foundation

/// Numbers for people: durations in µs/ms/s, rates, percentages and byte sizes.
/// Done by hand (no locale, no `String(format:)`), so output is the same everywhere.
public enum HumanUnits {
    /// 4 significant digits in the largest unit that keeps the number >= 1: "850µs", "312.4ms", "1.5s".
    static func duration(microseconds: Double) -> String {
        if microseconds < 1_000 { return trimmed(microseconds, significantDigits: 4) + "µs" }
        if microseconds < 1_000_000 { return trimmed(microseconds / 1e3, significantDigits: 4) + "ms" }
        return trimmed(microseconds / 1e6, significantDigits: 4) + "s"
    }

    public static func duration(_ duration: Duration) -> String {
        self.duration(microseconds: Double(duration.wholeMicroseconds))
    }

    /// Requests per second with one decimal: "998.7/s".
    static func rate(_ perSecond: Double) -> String { fixed(perSecond, places: 1) + "/s" }

    /// 3 significant digits: "1.67%", "0.0123%", "100%".
    static func percent(_ percent: Double) -> String { trimmed(percent, significantDigits: 3) + "%" }

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
        return fixed(value, places: 1) + " " + units[unit]
    }

    /// `value` rounded to `significantDigits` (whole digits are never dropped), trailing zeros removed.
    static func trimmed(_ value: Double, significantDigits: Int) -> String {
        let wholeDigits = value == 0 || !value.isFinite ? 1 : Int(log10(abs(value)).rounded(.down)) + 1
        var text = fixed(value, places: max(0, significantDigits - wholeDigits))
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }

    /// `value` with exactly `places` decimals.
    static func fixed(_ value: Double, places: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : value < 0 ? "-inf" : "inf" }
        var scale: UInt64 = 1
        for _ in 0..<places { scale *= 10 }
        let scaled = (abs(value) * Double(scale)).rounded()
        guard scaled < 9e18 else { return "\(value)" }
        let units = UInt64(scaled)
        var text = String(units / scale)
        if places > 0 {
            let fraction = String(units % scale)
            text += "." + String(repeating: "0", count: places - fraction.count) + fraction
        }
        return (value < 0 && units != 0 ? "-" : "") + text
    }
}
