import Foundation
import Primitives

/// One self-contained HTML file: the summary, latency percentiles over time, the
/// percentile spectrum of latency and service time, and throughput and errors over
/// time, as inline SVG. No scripts and no network, so it opens anywhere and can be
/// attached to a CI run.
public struct HTMLReport: ReportRenderer {
    public init() {}

    public func render(_ result: RunResult) -> String {
        let summary = ReportSummary(result)
        var html = Self.documentStart(title: "\(summary.title): \(result.metadata.target)", heading: summary.title)
        if let abort = summary.abortWarning {
            html += "<p class=\"warning aborted\">\(HTML.escape(abort))</p>\n"
        }
        html += "<table class=\"facts\">\n"
        for (label, value) in summary.facts {
            html += "<tr><th>\(HTML.escape(label))</th><td>\(HTML.escape(value))</td></tr>\n"
        }
        html += "</table>\n"
        if let warning = summary.scheduleWarning {
            html += "<p class=\"warning\">\(HTML.escape(warning))</p>\n"
        }
        html += "<h2>Distribution</h2>\n" + Self.numberTable(class: "histograms", columns: ReportSummary.histogramColumns, rows: summary.histograms)
        html += "<p class=\"note\">\(HTML.escape(ReportSummary.latencyNote)).</p>\n"
        html += "<h2>Over time</h2>\n"
        html += latencyOverTime(result.statistics).svg()
        html += throughputOverTime(result.statistics).svg()
        if let storm = result.storm { html += stormOverTime(storm).svg() }
        html += "<h2>Percentile spectrum</h2>\n"
        html += spectrum(result.statistics).svg()
        html += "</body>\n</html>\n"
        return html
    }

    static let palette = ["#1f77b4", "#2ca02c", "#ff7f0e", "#d62728"]

    /// The document up to its heading: the page every HTML report shares.
    /// A table of figures: a header row of `columns`, then a row per name,
    /// its cells right-aligned.
    static func numberTable(class name: String, columns: [String], rows: [(name: String, cells: [String])]) -> String {
        var html = "<table class=\"\(name)\">\n<tr><th></th>"
        html += columns.map { "<th class=\"number\">\(HTML.escape($0))</th>" }.joined() + "</tr>\n"
        for (name, cells) in rows {
            html += "<tr><th>\(HTML.escape(name))</th>" + cells.map { "<td class=\"number\">\(HTML.escape($0))</td>" }.joined() + "</tr>\n"
        }
        return html + "</table>\n"
    }

    static func documentStart(title: String, heading: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>\(HTML.escape(title))</title>
        <style>
        body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
        table { border-collapse: collapse; margin: 0.5em 0; }
        th, td { padding: 2px 12px 2px 0; text-align: left; vertical-align: top; }
        td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; }
        .warning { color: #b00020; font-weight: bold; }
        .note { color: #555; font-size: 0.9em; }
        svg { display: block; margin: 0.5em 0 1.5em; font-size: 12px; }
        svg .title { font-weight: bold; font-size: 13px; }
        svg .grid { stroke: #e6e6e6; }
        svg .frame { fill: none; stroke: #999; }
        </style>
        </head>
        <body>
        <h1>\(HTML.escape(heading))</h1>

        """
    }

    /// A histogram's percentile spectrum as chart points on HdrHistogram's log axis.
    static func spectrumPoints(_ histogram: LatencyHistogram) -> [(x: Double, y: Double)] {
        histogram.percentileSpectrum().map { (log10(1 / (1 - $0.percentile / 100)), Double($0.value.wholeMicroseconds)) }
    }

    /// p50/p90/p99/max of latency by second of the scheduled send time.
    private func latencyOverTime(_ statistics: RunStatistics) -> LineChart {
        let seconds = statistics.scheduledPerSecond
        let levels: [(String, (ScheduledSecond) -> Duration)] = [
            ("p50", { $0.latency(atPercentile: 50) }), ("p90", { $0.latency(atPercentile: 90) }),
            ("p99", { $0.latency(atPercentile: 99) }), ("max", \.maxLatency),
        ]
        let series = zip(levels, Self.palette).map { level, color in
            LineChart.Series(name: level.0, color: color, points: seconds.enumerated().map { index, second in
                (Double(index), second.scheduled == 0 ? .nan : Double(level.1(second).wholeMicroseconds))
            })
        }
        return LineChart(title: "Latency (from schedule) by second of scheduled send", xAxis: .seconds,
                         yLabel: { HumanUnits.duration(microseconds: $0) }, series: series)
    }

    /// Scheduled, completed and failed requests per second.
    private func throughputOverTime(_ statistics: RunStatistics) -> LineChart {
        let scheduled = statistics.scheduledPerSecond
        let completed = statistics.completedPerSecond
        let count = max(scheduled.count, completed.count)
        func points(_ value: (Int) -> Int) -> [(x: Double, y: Double)] {
            (0..<count).map { (Double($0), Double(value($0))) }
        }
        let series = [
            LineChart.Series(name: "scheduled/s", color: Self.palette[0], points: points { $0 < scheduled.count ? scheduled[$0].scheduled : 0 }),
            LineChart.Series(name: "completed/s", color: Self.palette[1], points: points { $0 < completed.count ? completed[$0].completed : 0 }),
            LineChart.Series(name: "failed/s (non-2xx + transport errors)", color: Self.palette[3], points: points {
                $0 < completed.count ? completed[$0].failedStatus + completed[$0].transportErrors : 0
            }),
        ]
        return LineChart(title: "Throughput and errors per second", xAxis: .seconds,
                         yLabel: { DecimalText.trimmed($0, significantDigits: 6) }, series: series)
    }

    /// A storm's arrivals and emitted events per second of storm time.
    private func stormOverTime(_ storm: StormSeries) -> LineChart {
        func points(_ counts: [Int]) -> [(x: Double, y: Double)] {
            counts.enumerated().map { (Double($0.offset), Double($0.element)) }
        }
        return LineChart(title: "Storm: arrivals and emitted events per second", xAxis: .seconds,
                         yLabel: { DecimalText.trimmed($0, significantDigits: 6) },
                         series: [
                             LineChart.Series(name: "arrivals/s", color: Self.palette[0], points: points(storm.arrivalsPerSecond)),
                             LineChart.Series(name: "events/s", color: Self.palette[2], points: points(storm.eventsPerSecond)),
                         ])
    }

    /// Latency and service time against percentile, on HdrHistogram's log axis.
    private func spectrum(_ statistics: RunStatistics) -> LineChart {
        LineChart(title: "Percentile spectrum", xAxis: .percentileSpectrum,
                  yLabel: { HumanUnits.duration(microseconds: $0) },
                  series: [
                      LineChart.Series(name: "latency", color: Self.palette[0], points: Self.spectrumPoints(statistics.latency)),
                      LineChart.Series(name: "service time", color: Self.palette[2], points: Self.spectrumPoints(statistics.serviceTime)),
                  ])
    }
}
