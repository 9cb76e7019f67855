import Foundation
import EventModel
import Primitives

/// What `storm --check` prints: the flows, and per load stage the expected
/// arrivals and events (lifecycle events of the stage's arrivals, wherever
/// they land in time, plus background events during the stage).
public struct ScenarioSummary: Sendable, Equatable, CustomStringConvertible {
    public struct FlowLine: Sendable, Equatable {
        public let name: String
        /// `job` or `queueItem`.
        public let kind: String
        /// The process or queue.
        public let target: String
        /// Fraction of arrivals.
        public let share: Double
        /// Expected events per arrival: 3 per job; 3 per queue item attempt, times the
        /// expected attempts of a retry chain, times the queue's folders.
        public let eventsPerArrival: Double
    }

    public struct StageLine: Sendable, Equatable {
        /// Storm time covered (a stage cut by `duration` is shortened).
        public let duration: Duration
        public let fromRate: Double
        public let toRate: Double
        public let expectedArrivals: Double
        public let expectedEvents: Double
    }

    public let name: String
    public let file: String
    public let seed: UInt64
    public let timeScale: Double
    public let flows: [FlowLine]
    public let stages: [StageLine]
    /// Background events over the whole run.
    public let expectedBackgroundEvents: Double

    public var expectedArrivals: Double { stages.reduce(0) { $0 + $1.expectedArrivals } }
    public var expectedEvents: Double { stages.reduce(0) { $0 + $1.expectedEvents } }

    public var description: String {
        var lines = ["scenario \(name) (\(file)): seed \(seed), time_scale \(Self.number(timeScale))"]
        lines.append("flows:")
        for flow in flows {
            lines.append("  \(flow.name)  \(flow.kind) \(flow.target)  \(Self.number(flow.share * 100))% of arrivals, "
                         + "\(Self.number(flow.eventsPerArrival)) events per arrival")
        }
        lines.append("stages:")
        for (index, stage) in stages.enumerated() {
            lines.append("  \(index + 1). \(Self.number(stage.duration.seconds))s  \(Self.number(stage.fromRate))/s -> "
                         + "\(Self.number(stage.toRate))/s  ~\(Self.count(stage.expectedArrivals)) arrivals, "
                         + "~\(Self.count(stage.expectedEvents)) events")
        }
        lines.append("total: ~\(Self.count(expectedArrivals)) arrivals, ~\(Self.count(expectedEvents)) events "
                     + "(\(Self.count(expectedBackgroundEvents)) background)")
        return lines.joined(separator: "\n")
    }

    private static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(format: "%.3g", value)
    }

    private static func count(_ value: Double) -> String { String(Int64(value.rounded())) }
}

extension Scenario {
    /// Expected volumes for `storm --check`, with the same overrides a run takes.
    public func summary(options: StormOptions? = nil) -> ScenarioSummary {
        let loadScale = options?.loadScale ?? 1
        let totalWeight = flows.reduce(0) { $0 + $1.weight }
        let flowLines = flows.map { flow in
            let (kind, target, perArrival): (String, String, Double)
            switch flow.kind {
            case .job(let job):
                (kind, target, perArrival) = ("job", fleet.processes[job.process].name, 3)
            case .queueItem(let item):
                let queue = fleet.queues[item.queue]
                (kind, target, perArrival) = ("queueItem", queue.name,
                                              3 * Self.expectedAttempts(item.outcomes, queue: queue) * Double(queue.folderIds.count))
            }
            return ScenarioSummary.FlowLine(name: flow.name, kind: kind, target: target,
                                            share: totalWeight > 0 ? flow.weight / totalWeight : 0, eventsPerArrival: perArrival)
        }
        let eventsPerArrival = flowLines.reduce(0) { $0 + $1.share * $1.eventsPerArrival }
        let backgroundRate = background.reduce(0) { $0 + $1.rate }
        let cap = options?.duration?.seconds ?? .infinity

        var stageLines: [ScenarioSummary.StageLine] = []
        var (elapsed, rate) = (0.0, 0.0)
        for stage in load {
            let length = stage.duration.seconds
            let target = stage.rate * loadScale
            // Linear ramp: the part of the stage before the cap, and the rate where it is cut.
            let covered = max(0, min(length, cap - elapsed))
            let cutRate = rate + (target - rate) * (covered / length)
            let arrivals = (rate + cutRate) / 2 * covered
            stageLines.append(.init(duration: .seconds(covered), fromRate: rate, toRate: cutRate, expectedArrivals: arrivals,
                                    expectedEvents: arrivals * eventsPerArrival + backgroundRate * covered))
            elapsed += length
            rate = target
        }
        let coveredSeconds = stageLines.reduce(0) { $0 + $1.duration.seconds }
        return ScenarioSummary(name: name, file: file, seed: options?.seed ?? seed, timeScale: options?.timeScale ?? timeScale,
                               flows: flowLines, stages: stageLines, expectedBackgroundEvents: backgroundRate * coveredSeconds)
    }

    /// Expected attempts of one item: each attempt is retried with probability q
    /// (application failure, and abandonment when the queue retries it) up to
    /// `maxRetries` times, so 1 + q + q² + … + q^maxRetries.
    static func expectedAttempts(_ outcomes: QueueItemOutcomes, queue: Queue) -> Double {
        let q = outcomes.failedApplication + (queue.retryAbandoned ? outcomes.abandoned : 0)
        var (attempts, term) = (0.0, 1.0)
        for _ in 0...queue.maxRetries {
            attempts += term
            term *= q
        }
        return attempts
    }
}
