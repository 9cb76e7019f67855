#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Numbers as text, by hand (no locale, no `String(format:)`), so output is the
/// same everywhere.
public enum DecimalText {
    /// `value` rounded to `significantDigits` (whole digits are never dropped), trailing zeros removed.
    public static func trimmed(_ value: Double, significantDigits: Int) -> String {
        let wholeDigits = value == 0 || !value.isFinite ? 1 : Int(log10(abs(value)).rounded(.down)) + 1
        var text = fixed(value, places: max(0, significantDigits - wholeDigits))
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }

    /// `value` with exactly `places` decimals.
    public static func fixed(_ value: Double, places: Int) -> String {
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
