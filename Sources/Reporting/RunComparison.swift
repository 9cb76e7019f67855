import EventModel
import Foundation

/// Two runs side by side, a base and a new one: each figure of both and its
/// change, and what differs between the runs besides their measurements.
/// `hookreel report diff` prints it, writes it as JSON, HTML and JUnit, and
/// checks thresholds on it (a signed one on the change, any other on the new run).
public struct RunComparison: Sendable {
    /// The JSON layout version of a comparison (not of the results compared).
    public static let formatVersion = 1

    public let base: RunResult
    public let new: RunResult
    /// Where the runs came from (their files), for people.
    public let baseSource: String
    public let newSource: String
    /// What differs between the runs besides their measurements (pacing, target,
    /// ...): the comparison still holds, but may compare unlike things.
    public let warnings: [String]
    /// The figures compared, in display order.
    public let figures: [ComparedFigure]

    /// Refuses results of different format versions: a figure need not mean the
    /// same in both, so the change would mean nothing.
    public init(base: RunResult, new: RunResult, baseSource: String = "base", newSource: String = "new") throws(ReportError) {
        guard base.version == new.version else {
            throw ReportError(.differentVersions, source: baseSource,
                              reason: "result format version \(base.version), but \(newSource) is version \(new.version): "
                                  + "compare results written by the same hookreel version")
        }
        self.base = base
        self.new = new
        self.baseSource = baseSource
        self.newSource = newSource
        warnings = Self.warnings(base: base.metadata, new: new.metadata)
        figures = ComparedFigure.all(base: base, new: new)
    }

    /// What `threshold` measures (the change from the base run for a signed one,
    /// the new run's value otherwise), and whether its condition is true.
    public func check(_ threshold: Threshold) -> ThresholdCheck {
        threshold.check(new, base: base)
    }

    /// The breaches of `thresholds`, in their order.
    public func breaches(of thresholds: [Threshold]) -> [ThresholdBreach] {
        thresholds.compactMap { $0.breach(in: new, base: base) }
    }

    private static func warnings(base: RunMetadata, new: RunMetadata) -> [String] {
        func rate(_ metadata: RunMetadata) -> String { metadata.targetRate.map(HumanUnits.rate) ?? "none (closed loop)" }
        func sharding(_ metadata: RunMetadata) -> String {
            if let shard = metadata.shard { return "shard \(shard.index) of \(shard.count)" }
            if let shards = metadata.shards { return "merged shards \(shards.summary)" }
            return "unsharded"
        }
        let facts: [(String, (RunMetadata) -> String)] = [
            ("command", \.command), ("target", \.target), ("pacing", \.pacing), ("target rate", rate), ("sharding", sharding),
        ]
        let differences = facts.compactMap { name, value in
            value(base) == value(new) ? nil : "the runs' \(name) differs: base \(value(base)), new \(value(new))"
        }
        let aborts = [("base", base), ("new", new)].compactMap { name, metadata in
            metadata.aborted.map { "the \(name) run was \($0); its figures cover the run up to the stop" }
        }
        return differences + aborts
    }

    // MARK: JSON

    /// Compact JSON with sorted keys (stable output), ending in a newline: both
    /// runs' metadata and sources, the figures, the thresholds' verdicts and the warnings.
    public func jsonBytes(checking thresholds: [Threshold]) throws(ReportError) -> [UInt8] {
        let document = Document(
            version: Self.formatVersion,
            base: Document.Run(source: baseSource, metadata: base.metadata),
            new: Document.Run(source: newSource, metadata: new.metadata),
            figures: figures.map(Document.Figure.init),
            thresholds: thresholds.map { threshold in
                let check = check(threshold)
                return Document.Verdict(expression: threshold.description, measurement: check.measurement, breached: check.isBreached)
            },
            warnings: warnings)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return Array(try encoder.encode(document)) + [UInt8(ascii: "\n")]
        } catch {
            throw ReportError(.encodingFailed, source: newSource, reason: "cannot encode the comparison: \(error)")
        }
    }

    /// The JSON layout (docs/reports.md).
    private struct Document: Encodable {
        struct Run: Encodable {
            let source: String
            let metadata: RunMetadata
        }

        struct Figure: Encodable {
            let name: String
            let unit: String
            let base: Double?
            let new: Double?
            let change: Double?
            let relativeChange: Double?

            init(_ figure: ComparedFigure) {
                name = figure.name
                unit = figure.unit.rawValue
                base = figure.base
                new = figure.new
                change = figure.change
                relativeChange = figure.relativeChange?.percent
            }

            enum CodingKeys: String, CodingKey {
                case name, unit, base, new, change
                case relativeChange = "relative_change"
            }
        }

        struct Verdict: Encodable {
            let expression: String
            let measurement: String
            let breached: Bool
        }

        let version: Int
        let base: Run
        let new: Run
        let figures: [Figure]
        let thresholds: [Verdict]
        let warnings: [String]
    }
}

/// One figure of both runs, such as "latency p99", and its change.
public struct ComparedFigure: Sendable, Equatable {
    public let name: String
    public let unit: FigureUnit
    /// nil when the run has no such figure (the target rate of a closed loop).
    public let base: Double?
    public let new: Double?

    /// new - base, in the figure's unit (percentage points for a percentage); nil when either is missing.
    public var change: Double? {
        guard let base, let new else { return nil }
        return new - base
    }

    public var relativeChange: RelativeChange? {
        guard let base, let new else { return nil }
        return RelativeChange(from: base, to: new)
    }

    /// The rows of `hookreel report diff`: requests, rates, errors, then the percentiles of the histograms.
    static func all(base: RunResult, new: RunResult) -> [ComparedFigure] {
        func figure(_ name: String, _ unit: FigureUnit, _ value: (RunResult) -> Double?) -> ComparedFigure {
            ComparedFigure(name: name, unit: unit, base: value(base), new: value(new))
        }
        let levels: [(name: String, value: (LatencyHistogram) -> Duration)] = [
            ("p50", { $0.percentile(50) }), ("p90", { $0.percentile(90) }), ("p99", { $0.percentile(99) }),
            ("p99.9", { $0.percentile(99.9) }), ("max", \.max),
        ]
        func latency(_ name: String, _ histogram: KeyPath<RunStatistics, LatencyHistogram>,
                     _ level: (name: String, value: (LatencyHistogram) -> Duration)) -> ComparedFigure {
            figure("\(name) \(level.name)", .microseconds) { Double(level.value($0.statistics[keyPath: histogram]).wholeMicroseconds) }
        }
        return [
            figure("requests", .requests) { Double($0.statistics.requests) },
            figure("achieved rate", .requestsPerSecond) { $0.achievedRate },
            figure("target rate", .requestsPerSecond) { $0.metadata.targetRate },
            figure("errors", .percent) { $0.errorRatio * 100 },
        ]
            + levels.map { latency("latency", \.latency, $0) }
            + levels.map { latency("service time", \.serviceTime, $0) }
            + [latency("schedule lag", \.scheduleLag, levels[2])]
    }
}
