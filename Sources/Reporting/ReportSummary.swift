import Primitives

/// The facts every human-readable report shows, computed once so the text and
/// HTML renderers cannot disagree.
struct ReportSummary {
    /// Below this fraction of the target rate a run "could not keep the schedule".
    static let scheduleKeptFraction = 0.95
    static let histogramColumns = ["min", "mean", "p50", "p90", "p99", "p99.9", "max"]

    let title: String
    /// Label and value pairs, in display order.
    let facts: [(label: String, value: String)]
    /// Set when the achieved rate fell short of the target.
    let scheduleWarning: String?
    /// Set when an `--abort-on` threshold stopped the run.
    let abortWarning: String?
    /// One row per histogram: its name and a cell per `histogramColumns` entry.
    let histograms: [(name: String, cells: [String])]

    init(_ result: RunResult) {
        let metadata = result.metadata
        let statistics = result.statistics
        title = "hookreel \(metadata.command) report"
        abortWarning = metadata.aborted.map { "ABORTED: \($0); the figures cover the run up to the stop" }

        var facts: [(String, String)] = [
            ("target", metadata.target),
            ("pacing", metadata.pacing + (metadata.seed.map { ", seed \($0)" } ?? "")),
            ("started", metadata.startedAt.description),
            ("duration", HumanUnits.duration(result.duration)),
        ]
        if let shard = metadata.shard {
            facts.insert(("shard", "\(shard.index) of \(shard.count)"), at: 2)
        } else if let shards = metadata.shards {
            facts.insert(("shards", shards.summary), at: 2)
        }
        let skipped = metadata.skippedRecords > 0 ? " (\(metadata.skippedRecords) malformed input records skipped)" : ""
        facts.append(("requests", "\(statistics.requests)\(skipped)"))
        let achieved = HumanUnits.rate(result.achievedRate)
        if let target = metadata.targetRate, let fraction = result.achievedFractionOfTarget {
            facts.append(("rate", "target \(HumanUnits.rate(target)), achieved \(achieved) (\(HumanUnits.percent(fraction * 100)))"))
            scheduleWarning = fraction < Self.scheduleKeptFraction
                ? "could not keep the schedule: achieved \(HumanUnits.percent(fraction * 100)) of the target rate"
                    + " (schedule lag p99 \(HumanUnits.duration(statistics.scheduleLag.percentile(99))))"
                : nil
        } else {
            facts.append(("rate", "achieved \(achieved) (no target rate)"))
            scheduleWarning = nil
        }
        let statuses = statistics.statusCounts.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
        facts.append(("statuses", statuses.isEmpty ? "none" : statuses.joined(separator: ", ")))
        let errors = ErrorClass.allCases.compactMap { errorClass in
            statistics.errorCounts[errorClass].map { "\(errorClass.rawValue): \($0)" }
        }
        facts.append(("transport errors", errors.isEmpty ? "none" : errors.joined(separator: ", ")))
        facts.append(("failed", "\(statistics.failedRequests) (\(HumanUnits.percent(result.errorRatio * 100))) non-2xx or transport errors"))
        facts.append(("bytes", "sent \(HumanUnits.bytes(statistics.bytesSent)), received \(HumanUnits.bytes(statistics.bytesReceived))"))
        self.facts = facts

        histograms = [
            ("latency", statistics.latency),
            ("service time", statistics.serviceTime),
            ("schedule lag", statistics.scheduleLag),
        ].map { name, histogram in
            let values = [histogram.min, histogram.mean, histogram.percentile(50), histogram.percentile(90),
                          histogram.percentile(99), histogram.percentile(99.9), histogram.max]
            return (name, values.map(HumanUnits.duration))
        }
    }

    /// What the latency figures mean; every report says it.
    static let latencyNote = "latency is measured from the scheduled send time (no coordinated omission); "
        + "service time from the actual send; schedule lag is how late sends were"
}

/// Turns a run result into one output format.
public protocol ReportRenderer {
    func render(_ result: RunResult) -> String
}

/// The terminal summary: what ran, rates, outcomes and the three histograms.
public struct TextReport: ReportRenderer {
    public init() {}

    public func render(_ result: RunResult) -> String {
        let summary = ReportSummary(result)
        let labelWidth = summary.facts.map(\.label.count).max() ?? 0
        var lines = [summary.title]
        if let abort = summary.abortWarning { lines.append(abort) }
        for (label, value) in summary.facts {
            lines.append(pad(label, labelWidth) + "  " + value)
            if label == "rate", let warning = summary.scheduleWarning {
                lines.append(pad("", labelWidth) + "  WARNING: " + warning)
            }
        }
        lines.append("")
        let nameWidth = summary.histograms.map(\.name.count).max() ?? 0
        let cellWidth = max(9, (summary.histograms.flatMap(\.cells).map(\.count).max() ?? 0) + 2)
        lines.append(pad("", nameWidth) + ReportSummary.histogramColumns.map { Self.leftPad($0, cellWidth) }.joined())
        for (name, cells) in summary.histograms {
            lines.append(pad(name, nameWidth) + cells.map { Self.leftPad($0, cellWidth) }.joined())
        }
        lines.append("")
        lines.append(ReportSummary.latencyNote)
        var text = lines.joined(separator: "\n") + "\n"
        if let storm = result.storm { text += "\n" + storm.text(seconds: result.duration.seconds) }
        return text
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - text.count))
    }

    /// `text` right-aligned in `width` columns (the storm table uses it too).
    static func leftPad(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }
}

/// The latency histogram as an HdrHistogram percentile distribution (the Java
/// `.hgrm` text format, values in milliseconds), for HdrHistogram's plotter.
public struct HgrmReport: ReportRenderer {
    /// hgrm files state values in milliseconds; the histogram counts microseconds.
    static let microsecondsPerOutputUnit = 1000.0

    public init() {}

    public func render(_ result: RunResult) -> String {
        var text = ""
        result.statistics.latency.storage.outputPercentileDistribution(
            to: &text, outputValueUnitScalingRatio: Self.microsecondsPerOutputUnit)
        return text
    }
}
