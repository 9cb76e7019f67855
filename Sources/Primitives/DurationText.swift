/// Durations as people write and read them: one grammar for every option,
/// scenario key and threshold that takes a duration, and the texts that
/// echo such values or report measured ones.
public enum DurationText {
    /// Why a text is not a duration.
    public enum ParseError: Error, Sendable, Equatable {
        /// Not a number followed by a unit.
        case malformed
        case negative
        /// Longer than `longest`.
        case tooLong
    }

    /// The longest duration taken anywhere. Nothing hookreel waits for, runs or
    /// simulates needs more, so a longer one is a typo.
    public static let longest: Duration = .seconds(365 * 86_400)

    /// Unit suffixes and their length in seconds, those that end others first.
    private static let units: [(suffix: String, seconds: Double)] = [
        ("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600),
    ]

    /// Whether `suffix` is one of the units: `us` or `µs`, `ms`, `s`, `m`, `h`.
    public static func isUnit(_ suffix: some StringProtocol) -> Bool {
        units.contains { $0.suffix == suffix }
    }

    /// `250ms`, `5s`, `10m`, `1h`, `1.5s`, `500us` (or `500µs`): a non-negative
    /// number and a unit, at most `longest`; rounded to the nanosecond.
    public static func parse(_ text: some StringProtocol) throws(ParseError) -> Duration {
        guard let unit = units.first(where: { text.hasSuffix($0.suffix) }),
              let value = Double(String(text.dropLast(unit.suffix.count))), value.isFinite
        else { throw .malformed }
        guard value >= 0 else { throw .negative }
        let seconds = value * unit.seconds
        guard seconds <= longest.seconds else { throw .tooLong }
        return .nanoseconds(Int64((seconds * 1e9).rounded()))
    }

    /// Exactly, as the options are written, so the text parses back to the
    /// same duration: in the largest of `s`, `ms` and `µs` that keeps the
    /// number at least 1 (`1.5s`, `120s`, `250ms`, `500µs`, `0s`).
    public static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        // Past Int64's nanoseconds (292 years), whole seconds say enough.
        guard seconds.magnitude < 9_000_000_000 else { return "\(seconds)s" }
        let nanoseconds = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        guard nanoseconds != 0 else { return "0s" }
        let magnitude = nanoseconds.magnitude
        let (unit, fractionDigits, suffix): (UInt64, Int, String) =
            magnitude >= 1_000_000_000 ? (1_000_000_000, 9, "s") : magnitude >= 1_000_000 ? (1_000_000, 6, "ms") : (1_000, 3, "µs")
        var text = (nanoseconds < 0 ? "-" : "") + String(magnitude / unit)
        if magnitude % unit != 0 {
            var fraction = String(magnitude % unit)
            fraction = String(repeating: "0", count: fractionDigits - fraction.count) + fraction
            while fraction.hasSuffix("0") { fraction.removeLast() }
            text += "." + fraction
        }
        return text + suffix
    }

    /// A measured duration to `significantDigits`, in the largest of `µs`, `ms`
    /// and `s` that keeps the number at least 1 (`850µs`, `312.4ms`, `3600s`).
    public static func format(microseconds: Double, significantDigits: Int) -> String {
        if microseconds < 1_000 { return DecimalText.trimmed(microseconds, significantDigits: significantDigits) + "µs" }
        if microseconds < 1_000_000 { return DecimalText.trimmed(microseconds / 1e3, significantDigits: significantDigits) + "ms" }
        return DecimalText.trimmed(microseconds / 1e6, significantDigits: significantDigits) + "s"
    }
}
