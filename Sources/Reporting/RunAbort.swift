/// Why a run stopped before its schedule ended: an `--abort-on` threshold
/// breached while it ran. A result that carries one measured only the part
/// of the run before the stop.
public struct RunAbort: Sendable, Codable, Equatable, CustomStringConvertible {
    /// The threshold as written, e.g. `errors>5%`.
    public var threshold: String
    /// What was measured over the run so far when it breached, in words.
    public var measurement: String
    /// Whole seconds from the run's origin to the check that found the breach.
    public var second: Int

    public init(threshold: String, measurement: String, second: Int) {
        self.threshold = threshold
        self.measurement = measurement
        self.second = second
    }

    /// "aborted at 12s: errors>5% breached (errors were 49.8% (…))".
    public var description: String { "aborted at \(second)s: \(threshold) breached (\(measurement))" }
}
