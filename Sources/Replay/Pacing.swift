import EventModel
import Primitives

/// When the scheduler should send an event.
public enum SendTime: Sendable, Equatable {
    /// This long after the run's start.
    case at(Duration)
    /// As soon as the in-flight bound allows (closed loop).
    case immediately
}

/// Decides each event's send time. Pacers are pure: the answer depends only on
/// what they were asked before, never on a clock, so they are tested as tables.
public protocol Pacer: Sendable {
    /// The send time of the next event, recorded at `recordedAt`; nil once the
    /// pacer's schedule is over (its last stage ended).
    mutating func nextSendTime(recordedAt: Timestamp) -> SendTime?
    /// What the report's "pacing" line says.
    var summary: String { get }
    /// The planned requests per second, when the pacer has one.
    var targetRate: Double? { get }
    /// The requests the schedule asks for by `elapsed`, and its rate then;
    /// nil for a pacer without a rate schedule (original timing, closed loop).
    func schedule(at elapsed: Duration) -> (count: Double, rate: Double)?
    /// For a closed loop (every send time `.immediately`), the requests it
    /// keeps in flight; nil for a pacer with a schedule.
    var closedLoopConcurrency: Int? { get }
}

/// The recording's own timing: each gap between consecutive records, capped at
/// `maximumGap` (in recorded time) and divided by `speed`. Gaps are measured
/// from the latest time seen so far, so a record that runs backwards (the next
/// pass of a loop, or instances merged out of order) goes out at once and does
/// not stretch the gap after it.
public struct OriginalTimingPacer: Pacer {
    public let speed: Double
    public let maximumGap: Duration?
    private var previous: Timestamp?
    private var offset: Duration = .zero

    public init(speed: Double, maximumGap: Duration?) {
        precondition(speed > 0)
        self.speed = speed
        self.maximumGap = maximumGap
    }

    public mutating func nextSendTime(recordedAt: Timestamp) -> SendTime? {
        defer { previous = max(previous ?? recordedAt, recordedAt) }
        guard let previous else { return .at(.zero) }
        var gap = Duration.microseconds(max(0, recordedAt.microsecondsSinceEpoch - previous.microsecondsSinceEpoch))
        if let maximumGap, gap > maximumGap { gap = maximumGap }
        offset += gap / speed
        return .at(offset)
    }

    public var summary: String {
        var text = speed == 1 ? "original timing" : "original timing x\(plainNumber(speed))"
        if let maximumGap { text += ", gaps capped at \(DurationText.format(maximumGap))" }
        return text
    }

    public var targetRate: Double? { nil }
    public func schedule(at elapsed: Duration) -> (count: Double, rate: Double)? { nil }
    public var closedLoopConcurrency: Int? { nil }
}

/// How arrivals are spread along an `ArrivalCurve`.
public enum ArrivalProcess: String, Sendable, CaseIterable {
    /// Evenly: the n-th event when the curve's cumulative count reaches n.
    case uniform
    /// A Poisson process: exponential gaps in cumulative count (seeded).
    case poisson
}

/// Sends events at the rate an `ArrivalCurve` prescribes.
public struct RatePacer: Pacer {
    public let curve: ArrivalCurve
    public let process: ArrivalProcess
    private var random: SplitMix64
    private var cumulative: Double
    private var isFirst = true

    public init(curve: ArrivalCurve, process: ArrivalProcess, seed: UInt64) {
        self.curve = curve
        self.process = process
        random = SplitMix64(seed: seed)
        cumulative = 0
    }

    public mutating func nextSendTime(recordedAt _: Timestamp) -> SendTime? {
        switch process {
        case .uniform:
            if !isFirst { cumulative += 1 }
        case .poisson:
            cumulative += random.nextExponential()
        }
        isFirst = false
        return curve.time(atCumulativeCount: cumulative).map(SendTime.at)
    }

    public var summary: String {
        "\(curve.summary) (\(process.rawValue))"
    }

    public var targetRate: Double? { curve.meanRate }
    public func schedule(at elapsed: Duration) -> (count: Double, rate: Double)? { curve.schedule(at: elapsed) }
    public var closedLoopConcurrency: Int? { nil }
}

/// Closed loop: every event as soon as a slot of `concurrency` frees up.
public struct ClosedLoopPacer: Pacer {
    public let concurrency: Int

    public init(concurrency: Int) {
        precondition(concurrency > 0)
        self.concurrency = concurrency
    }

    public mutating func nextSendTime(recordedAt _: Timestamp) -> SendTime? { .immediately }
    public var summary: String { "max rate, closed loop with \(concurrency) concurrent" }
    public var targetRate: Double? { nil }
    public func schedule(at elapsed: Duration) -> (count: Double, rate: Double)? { nil }
    public var closedLoopConcurrency: Int? { concurrency }
}

extension ArrivalCurve {
    var summary: String {
        guard !stages.isEmpty else { return "constant \(plainNumber(startRate))/s" }
        let steps = stages.map { "\(DurationText.format($0.duration))→\(plainNumber($0.targetRate))/s" }
        return "stages from \(plainNumber(startRate))/s: " + steps.joined(separator: ", ")
    }
}

/// A number without a trailing `.0`.
func plainNumber(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
}
