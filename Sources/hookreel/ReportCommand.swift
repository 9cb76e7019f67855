import ArgumentParser
import Reporting

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Render a run's JSON result as text, .hgrm or HTML; merge the results of shards.",
        discussion: """
        `hookreel report RESULT.json` is `hookreel report show RESULT.json`. \
        The result format, merging and the threshold grammar are described in docs/reports.md.
        """,
        subcommands: [ShowReportCommand.self, MergeReportsCommand.self],
        defaultSubcommand: ShowReportCommand.self
    )
}

struct ShowReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print a run result's summary; optionally write HTML and .hgrm reports and check thresholds.",
        discussion: """
        Exit status: 0 when every --fail-on threshold holds, \(Threshold.thresholdBreachedExitCode) when \
        one is breached (each breach is printed on stderr), 1 when the result cannot be read or a report \
        cannot be written.
        """
    )

    @Argument(help: ArgumentHelp("A run result (JSON) written by `hookreel replay` or `hookreel storm`.", valueName: "result.json"))
    var result: String

    @Option(help: ArgumentHelp(
        "Also write a self-contained HTML report (charts of latency over time, percentile spectrum, throughput and errors; no network needed) to this file.",
        valueName: "file"))
    var html: String?

    @Option(help: ArgumentHelp(
        "Also write the latency percentile distribution in HdrHistogram's .hgrm text format (milliseconds) to this file.",
        valueName: "file"))
    var hgrm: String?

    @Option(name: .customLong("fail-on"), help: ArgumentHelp(
        "Exit with status \(Threshold.thresholdBreachedExitCode) if this condition is true; repeatable. "
            + "Latency: p99>250ms, p99.9>1s, p50>=20ms, mean>10ms, max>2s; errors>0.5% (non-2xx and transport errors); "
            + "rate<95% (achieved rate as % of the target rate).",
        valueName: "expr"), transform: { text throws(ThresholdError) in try Threshold(parsing: text) })
    var failOn: [Threshold] = []

    func run() throws {
        let loaded = try reporting { () throws(ReportError) in try RunResult(contentsOfFile: result) }
        var output = OutputStream.standardOutput()
        output.write(TextReport().render(loaded))
        output.flush()
        if let html {
            try reporting { () throws(ReportError) in try ReportFile.replace(html, with: HTMLReport().render(loaded)) }
        }
        if let hgrm {
            try reporting { () throws(ReportError) in try ReportFile.replace(hgrm, with: HgrmReport().render(loaded)) }
        }
        let breaches = failOn.compactMap { $0.breach(in: loaded) }
        for breach in breaches { FileHandleStderr.write("threshold breached: \(breach)\n") }
        if !breaches.isEmpty { throw ExitCode(Threshold.thresholdBreachedExitCode) }
    }
}

struct MergeReportsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge the results of sharded runs into one result, exactly.",
        discussion: """
        Histograms are added and counts summed, so percentiles of the merged result are those of \
        all requests together. Offsets are rebased onto the earliest start; per-second series are \
        aligned by wall-clock second.
        """
    )

    @Argument(help: ArgumentHelp("Run results (JSON) to merge, e.g. one per shard.", valueName: "result.json"))
    var results: [String]

    @Option(name: [.customShort("o"), .customLong("output")], help: ArgumentHelp("Where to write the merged result (JSON).", valueName: "file"))
    var output: String

    func validate() throws {
        if results.isEmpty { throw ValidationError("name at least one result file to merge") }
    }

    func run() throws {
        let merged = try reporting { () throws(ReportError) in
            try RunResult.merging(results.map { path throws(ReportError) in try RunResult(contentsOfFile: path) })
        }
        try reporting { () throws(ReportError) in try merged.write(toFile: output) }
        Diagnostics.note("merged \(results.count) results (\(merged.statistics.requests) requests) into \(output)")
    }
}

/// Runs `body`, turning its error into the one-line failure every command reports.
func reporting<T>(_ body: () throws(ReportError) -> T) throws(CommandFailure) -> T {
    do {
        return try body()
    } catch {
        throw CommandFailure(error.description)
    }
}
