import Primitives

/// `--stall D --every P`: from `P` after start, and every `P` after that, the
/// sink answers nothing for `D`. An answer that falls due inside a stall
/// (whether its request arrived before or during it) leaves when the stall ends.
/// Times are offsets from the sink's start, so this is a pure function of them.
public struct StallSchedule: Sendable, Equatable {
    public let duration: Duration
    public let period: Duration

    /// Fails unless `0 < duration < period` (a stall as long as the period would never end).
    public init(duration: Duration, every period: Duration) throws(SinkOptionError) {
        guard duration > .zero else {
            throw SinkOptionError(option: "--stall", value: DurationText.format(duration), reason: "must be longer than 0")
        }
        guard duration < period else {
            throw SinkOptionError(option: "--every", value: DurationText.format(period),
                                  reason: "must be longer than --stall \(DurationText.format(duration))")
        }
        self.duration = duration
        self.period = period
    }

    /// When an answer due at `due` may leave: `due` itself, or the end of the stall it falls in.
    public func release(due: Duration) -> Duration {
        let cycle = due.nanoseconds / period.nanoseconds  // whole periods since start
        guard cycle >= 1 else { return due }
        let stallEnd = Duration.nanoseconds(cycle * period.nanoseconds) + duration
        return due < stallEnd ? stallEnd : due
    }
}
