import Primitives

/// The cells every human-readable comparison shows, computed once so the text
/// and HTML renderers cannot disagree.
struct ComparisonTable {
    static let columns = ["base", "new", "change", "change %"]
    /// What the change columns mean; every comparison says it.
    static let changeNote = "change is new - base (for errors, in percentage points); "
        + "change % is relative to the base, n/a from a base of 0"

    /// One line per run: where it came from, what ran and when.
    let runs: [(label: String, text: String)]
    /// One row per figure: its name and a cell per `columns` entry.
    let rows: [(name: String, cells: [String])]

    init(_ comparison: RunComparison) {
        func describe(_ source: String, _ result: RunResult) -> String {
            let metadata = result.metadata
            return "\(source): \(metadata.command) \(metadata.target), \(metadata.pacing), "
                + "started \(metadata.startedAt), \(HumanUnits.duration(result.duration))"
        }
        runs = [("base", describe(comparison.baseSource, comparison.base)), ("new", describe(comparison.newSource, comparison.new))]
        rows = comparison.figures.map { figure in
            let unit = figure.unit
            return (figure.name, [figure.base.map(unit.format) ?? "none", figure.new.map(unit.format) ?? "none",
                                  figure.change.map(unit.formatChange) ?? "n/a", figure.relativeChange?.description ?? "n/a"])
        }
    }
}

/// A comparison on the terminal: the two runs, then a table of each figure of
/// both and its change.
public struct ComparisonTextReport {
    public init() {}

    public func render(_ comparison: RunComparison) -> String {
        let table = ComparisonTable(comparison)
        func pad(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(0, width - text.count)) }
        var lines = ["hookreel report diff"]
        lines += table.runs.map { pad($0.label, 4) + "  " + $0.text }
        lines.append("")
        let nameWidth = table.rows.map(\.name.count).max() ?? 0
        let cellWidth = max(10, (table.rows.flatMap(\.cells).map(\.count).max() ?? 0) + 2)
        lines.append(pad("", nameWidth) + ComparisonTable.columns.map { TextReport.leftPad($0, cellWidth) }.joined())
        for (name, cells) in table.rows {
            lines.append(pad(name, nameWidth) + cells.map { TextReport.leftPad($0, cellWidth) }.joined())
        }
        lines.append("")
        lines.append(ComparisonTable.changeNote)
        lines.append(ReportSummary.latencyNote)
        return lines.joined(separator: "\n") + "\n"
    }
}

/// A comparison as one self-contained HTML file (no scripts, no network): the
/// two runs, the warnings, the table, the thresholds' verdicts, and both runs'
/// percentile spectra of latency and of service time on one chart each.
public struct ComparisonHTMLReport {
    public init() {}

    public func render(_ comparison: RunComparison, thresholds: [Threshold]) -> String {
        let table = ComparisonTable(comparison)
        let (base, new) = (comparison.base, comparison.new)
        var html = HTMLReport.documentStart(title: "hookreel report diff: \(new.metadata.target)", heading: "hookreel report diff")
        html += "<table class=\"facts\">\n<tr><th></th><th>base</th><th>new</th></tr>\n"
        let facts: [(String, (String, RunResult) -> String)] = [
            ("file", { source, _ in source }), ("command", { $1.metadata.command }), ("target", { $1.metadata.target }),
            ("pacing", { $1.metadata.pacing }), ("started", { $1.metadata.startedAt.description }),
            ("duration", { HumanUnits.duration($1.duration) }),
        ]
        for (label, value) in facts {
            html += "<tr><th>\(HTML.escape(label))</th><td>\(HTML.escape(value(comparison.baseSource, base)))</td>"
            html += "<td>\(HTML.escape(value(comparison.newSource, new)))</td></tr>\n"
        }
        html += "</table>\n"
        for warning in comparison.warnings {
            html += "<p class=\"warning\">warning: \(HTML.escape(warning))</p>\n"
        }
        html += "<h2>Comparison</h2>\n" + HTMLReport.numberTable(class: "comparison", columns: ComparisonTable.columns, rows: table.rows)
        html += "<p class=\"note\">\(HTML.escape(ComparisonTable.changeNote)); \(HTML.escape(ReportSummary.latencyNote)).</p>\n"
        if !thresholds.isEmpty {
            html += "<h2>Thresholds</h2>\n<table class=\"thresholds\">\n"
            for threshold in thresholds {
                let check = comparison.check(threshold)
                let verdict = check.isBreached ? "<td class=\"warning\">breached</td>" : "<td>held</td>"
                html += "<tr><th>\(HTML.escape(threshold.description))</th>\(verdict)<td>\(HTML.escape(check.measurement))</td></tr>\n"
            }
            html += "</table>\n"
        }
        html += "<h2>Percentile spectrum</h2>\n"
        html += spectra("Latency (from schedule)", \.latency, comparison).svg()
        html += spectra("Service time", \.serviceTime, comparison).svg()
        html += "</body>\n</html>\n"
        return html
    }

    /// One histogram of both runs against percentile, on HdrHistogram's log axis.
    private func spectra(_ title: String, _ histogram: KeyPath<RunStatistics, LatencyHistogram>, _ comparison: RunComparison) -> LineChart {
        LineChart(title: "\(title): base and new", xAxis: .percentileSpectrum,
                  yLabel: { HumanUnits.duration(microseconds: $0) },
                  series: [
                      LineChart.Series(name: "base", color: HTMLReport.palette[0],
                                       points: HTMLReport.spectrumPoints(comparison.base.statistics[keyPath: histogram])),
                      LineChart.Series(name: "new", color: HTMLReport.palette[3],
                                       points: HTMLReport.spectrumPoints(comparison.new.statistics[keyPath: histogram])),
                  ])
    }
}
