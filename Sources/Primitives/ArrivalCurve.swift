/// A planned arrival rate over time: a starting rate, then stages that each
/// move linearly to their target rate over their duration (k6's
/// ramping-arrival-rate). Without stages the starting rate holds forever.
public struct ArrivalCurve: Sendable, Equatable {
    public struct Stage: Sendable, Equatable {
        public var duration: Duration
        public var targetRate: Double

        public init(duration: Duration, targetRate: Double) {
            self.duration = duration
            self.targetRate = targetRate
        }
    }

    public let startRate: Double
    public let stages: [Stage]
    /// Cumulative arrivals at the start of each stage.
    private let countAtStageStart: [Double]
    private let secondsAtStageStart: [Double]

    public init(startRate: Double, stages: [Stage] = []) {
        self.startRate = startRate
        self.stages = stages
        var counts: [Double] = []
        var seconds: [Double] = []
        var count = 0.0
        var time = 0.0
        var rate = startRate
        for stage in stages {
            counts.append(count)
            seconds.append(time)
            let length = stage.duration.seconds
            count += (rate + stage.targetRate) / 2 * length
            time += length
            rate = stage.targetRate
        }
        counts.append(count)
        seconds.append(time)
        countAtStageStart = counts
        secondsAtStageStart = seconds
    }

    /// The time at which `count` arrivals are due, or nil past the last stage
    /// (or never, for a rate of zero).
    public func time(atCumulativeCount count: Double) -> Duration? {
        guard !stages.isEmpty else {
            guard startRate > 0 else { return nil }
            return .seconds(count / startRate)
        }
        var rate = startRate
        for (index, stage) in stages.enumerated() {
            let stageCount = countAtStageStart[index + 1] - countAtStageStart[index]
            let within = count - countAtStageStart[index]
            // Half-open stages: an arrival due exactly at a boundary belongs
            // to the next stage, and none is due at the end of the last.
            if within < stageCount {
                // Solve rate·t + slope·t²/2 = within for t in the stage; this
                // form stays exact when the slope is zero or negative.
                let length = stage.duration.seconds
                let slope = (stage.targetRate - rate) / length
                let discriminant = max(0, rate * rate + 2 * slope * within)
                let denominator = rate + discriminant.squareRoot()
                let t = denominator > 0 ? 2 * within / denominator : 0
                return .seconds(secondsAtStageStart[index] + min(t, length))
            }
            rate = stage.targetRate
        }
        return nil
    }

    /// The arrivals due by `time` (fractional: the integral of the rate), and
    /// the rate at `time`; past the last stage the count stays and the rate is 0.
    public func schedule(at time: Duration) -> (count: Double, rate: Double) {
        let t = max(0, time.seconds)
        guard !stages.isEmpty else { return (startRate * t, startRate) }
        var rate = startRate
        for (index, stage) in stages.enumerated() {
            let start = secondsAtStageStart[index]
            let length = stage.duration.seconds
            if t < start + length {
                let within = t - start
                let slope = (stage.targetRate - rate) / length
                return (countAtStageStart[index] + rate * within + slope * within * within / 2, rate + slope * within)
            }
            rate = stage.targetRate
        }
        return (countAtStageStart.last!, 0)
    }

    /// Planned arrivals divided by planned time; the starting rate when there
    /// are no stages.
    public var meanRate: Double {
        guard let totalSeconds = secondsAtStageStart.last, totalSeconds > 0, !stages.isEmpty else { return startRate }
        return countAtStageStart.last! / totalSeconds
    }

    /// The curve's planned length, nil when it holds forever.
    public var plannedDuration: Duration? {
        stages.isEmpty ? nil : .seconds(secondsAtStageStart.last!)
    }
}
