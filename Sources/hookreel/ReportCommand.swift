import ArgumentParser
import Foundation
import Glibc
import Reporting

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Render a run's JSON result as text, .hgrm or HTML; merge the results of shards, compare two runs, and gate on them.",
        discussion: """
        `hookreel report RESULT.json` is `hookreel report show RESULT.json`. \
        The result format, merging and the threshold grammar are described in docs/reports.md.
        """,
        subcommands: [ShowReportCommand.self, MergeReportsCommand.self, DiffReportCommand.self],
        defaultSubcommand: ShowReportCommand.self
    )
}

struct ShowReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print a run result's summary; optionally write HTML and .hgrm reports and check thresholds.",
        discussion: """
        Exit status: 0 when every --fail-on threshold holds, \(Threshold.thresholdBreachedExitCode) when \
        one is breached (each breach is printed on stderr) or the result is marked aborted (--abort-on), \
        1 when the result cannot be read or a report cannot be written.
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

    @Option(help: ArgumentHelp("Also write the verdict as JUnit XML. " + ResultOptions.junitContents, valueName: "file"))
    var junit: String?

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
        if let junit {
            try reporting { () throws(ReportError) in
                try ReportFile.replace(junit, with: JUnitReport().render(loaded, thresholds: failOn))
            }
        }
        let breaches = failOn.compactMap { $0.breach(in: loaded) }
        for breach in breaches { FileHandleStderr.write("threshold breached: \(breach)\n") }
        if !breaches.isEmpty { throw ExitCode(Threshold.thresholdBreachedExitCode) }
        try requireNotAborted(loaded)
    }
}

struct MergeReportsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge the results of sharded runs into one result, exactly, and check thresholds on it.",
        discussion: """
        Histograms are added and counts summed, so percentiles of the merged result are those of \
        all requests together. Offsets are rebased onto the earliest start; per-second series are \
        aligned by wall-clock second (shards started with one --start-at line up exactly).

        Results of a sharded run (--shard I/N) must all have the same N and hold each shard once; \
        a missing shard is refused, naming it, unless --partial (the merged result then lists the \
        shards it holds). A directory stands for the .json files in it; a quoted glob is expanded.

        Exit status: 0 when every --fail-on threshold holds, \(Threshold.thresholdBreachedExitCode) when \
        one is breached (each breach is printed on stderr) or a shard was stopped by --abort-on, \
        1 when results cannot be read or merged, 64 on bad options.
        """
    )

    @Argument(help: ArgumentHelp("Run results (JSON) to merge: files, directories of them, or globs.", valueName: "result"))
    var results: [String]

    @Option(name: [.customShort("o"), .customLong("output")], help: ArgumentHelp("Where to write the merged result (JSON).", valueName: "file"))
    var output: String

    @Option(help: ArgumentHelp("Also write the merged result as a self-contained HTML report.", valueName: "file"))
    var html: String?

    @Option(name: .customLong("fail-on"), help: ArgumentHelp(
        "Exit with status \(Threshold.thresholdBreachedExitCode) if this condition holds for the merged result; repeatable "
            + "(the grammar of `hookreel report --fail-on`).",
        valueName: "expr"), transform: { text throws(ThresholdError) in try Threshold(parsing: text) })
    var failOn: [Threshold] = []

    @Flag(help: "Merge the shards given even when some of the run's shards are missing.")
    var partial = false

    func validate() throws {
        if results.isEmpty { throw ValidationError("name at least one result file to merge") }
    }

    func run() throws {
        let paths = try ResultFiles.expand(results, excluding: output)
        let loaded = try reporting { () throws(ReportError) in
            try paths.map { path throws(ReportError) in try RunResult(contentsOfFile: path) }
        }
        let merged: RunResult
        do {
            merged = try RunResult.merging(loaded, sources: paths, allowsMissingShards: partial)
        } catch where error.code == .missingShards {
            throw CommandFailure("\(error) (--partial merges the shards given)")
        } catch {
            throw CommandFailure(error.description)
        }
        try reporting { () throws(ReportError) in
            try merged.write(toFile: output)
            if let html { try ReportFile.replace(html, with: HTMLReport().render(merged)) }
        }
        var standardOutput = OutputStream.standardOutput()
        standardOutput.write(TextReport().render(merged))
        standardOutput.flush()
        let shards = merged.metadata.shards.map { ", shards \($0.summary)" } ?? ""
        Diagnostics.note("merged \(paths.count) results (\(merged.statistics.requests) requests\(shards)) into \(output)")
        let breaches = failOn.compactMap { $0.breach(in: merged) }
        for breach in breaches { Diagnostics.note("threshold breached: \(breach)") }
        if !breaches.isEmpty { throw ExitCode(Threshold.thresholdBreachedExitCode) }
        try requireNotAborted(merged)
    }
}

struct DiffReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two run results side by side and gate on the change from the base run.",
        discussion: """
        Prints each figure of both runs with its change, absolute and relative: requests, achieved and \
        target rate, errors, latency and service time (p50, p90, p99, p99.9, max), schedule lag p99. \
        Warns on stderr when the runs' command, target, pacing, target rate or sharding differ; refuses \
        results of different format versions.

        --fail-on takes the thresholds of `hookreel report` (checked on NEW) and changes from BASE, \
        written with a sign:
          p99>+10%      p99 rose by more than 10% of BASE's p99
          p99.9>+50ms   p99.9 rose by more than 50 ms
          errors>+0.5%  the error ratio rose by more than 0.5 percentage points
          rate<-5%      the achieved rate (requests/s) fell by more than 5%
        pN, mean and max take a percentage of BASE's value or a duration; errors, percentage points \
        (errors is itself a percentage); rate, a percentage of BASE's achieved rate. From a BASE value \
        of 0 the relative change is n/a: any rise counts as infinite (so '>+X%' is breached when NEW is \
        above 0) and no change as 0%.

        Exit status: 0 when every --fail-on threshold holds, \(Threshold.thresholdBreachedExitCode) when one \
        is breached (each breach is printed on stderr), 1 when a result cannot be read, the results' \
        format versions differ or a report cannot be written, 64 on bad options.
        """
    )

    @Argument(help: ArgumentHelp("The run result (JSON) to compare with: the reference.", valueName: "base.json"))
    var base: String

    @Argument(help: ArgumentHelp("The run result (JSON) compared with the base.", valueName: "new.json"))
    var new: String

    @Option(help: ArgumentHelp("Also write the comparison as JSON (both runs' metadata, the figures, the thresholds' verdicts, the warnings).",
                               valueName: "file"))
    var json: String?

    @Option(help: ArgumentHelp(
        "Also write a self-contained HTML report: the table, the verdicts, and both runs' percentile spectra of latency and of service time.",
        valueName: "file"))
    var html: String?

    @Option(help: ArgumentHelp("Also write the verdict as JUnit XML. " + ResultOptions.junitContents, valueName: "file"))
    var junit: String?

    @Option(name: .customLong("fail-on"), help: ArgumentHelp(
        "Exit with status \(Threshold.thresholdBreachedExitCode) if this condition is true; repeatable. "
            + "A signed value is a change from the base run: p99>+10%, p99.9>+50ms, errors>+0.5% (percentage points), "
            + "rate<-5%; an unsigned one applies to the new run: p99>250ms, errors>0.5%, rate<95%.",
        valueName: "expr"), transform: { text throws(ThresholdError) in try Threshold(parsing: text, withBaseRun: true) })
    var failOn: [Threshold] = []

    func run() throws {
        let comparison = try reporting { () throws(ReportError) in
            try RunComparison(base: try RunResult(contentsOfFile: base), new: try RunResult(contentsOfFile: new),
                              baseSource: base, newSource: new)
        }
        for warning in comparison.warnings { Diagnostics.warning(warning) }
        var output = OutputStream.standardOutput()
        output.write(ComparisonTextReport().render(comparison))
        output.flush()
        try reporting { () throws(ReportError) in
            if let json { try ReportFile.replace(json, with: try comparison.jsonBytes(checking: failOn)) }
            if let html { try ReportFile.replace(html, with: ComparisonHTMLReport().render(comparison, thresholds: failOn)) }
            if let junit { try ReportFile.replace(junit, with: JUnitReport().render(comparison, thresholds: failOn)) }
        }
        let breaches = comparison.breaches(of: failOn)
        for breach in breaches { FileHandleStderr.write("threshold breached: \(breach)\n") }
        if !breaches.isEmpty { throw ExitCode(Threshold.thresholdBreachedExitCode) }
    }
}

/// The result files named on a command line: files as given, directories as
/// the `.json` files directly in them, globs (which a shell did not expand,
/// as in a Kubernetes Job's arguments) as what they match.
enum ResultFiles {
    /// The result files `arguments` name, each once, in order. The output file
    /// is left out of what a directory or a glob finds (a merge run again must
    /// not read its own last result) and refused when named outright.
    static func expand(_ arguments: [String], excluding output: String) throws(CommandFailure) -> [String] {
        let outputPath = standardized(output)
        var paths: [String] = []
        var seen = Set<String>()
        func add(_ path: String, found: Bool) throws(CommandFailure) {
            let standard = standardized(path)
            if standard == outputPath {
                if found { return }
                throw CommandFailure("\(path): is also the output (-o); merge into another file")
            }
            if seen.insert(standard).inserted { paths.append(path) }
        }
        for argument in arguments {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) {
                guard isDirectory.boolValue else {
                    try add(argument, found: false)
                    continue
                }
                let found = try jsonFiles(in: argument)
                guard !found.isEmpty else { throw CommandFailure("\(argument): no .json files in this directory") }
                for path in found { try add(path, found: true) }
            } else if argument.contains(where: { "*?[".contains($0) }) {
                let matches = glob(argument)
                guard !matches.isEmpty else { throw CommandFailure("\(argument): no result file matches") }
                for path in matches { try add(path, found: true) }
            } else {
                throw CommandFailure("\(argument): no such file or directory")
            }
        }
        guard !paths.isEmpty else { throw CommandFailure("no result files to merge in \(arguments.joined(separator: " "))") }
        return paths
    }

    private static func standardized(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    private static func jsonFiles(in directory: String) throws(CommandFailure) -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: directory)
                .filter { $0.hasSuffix(".json") }
                .sorted()
                .map { (directory as NSString).appendingPathComponent($0) }
        } catch {
            throw CommandFailure("\(directory): cannot list the directory: \(error.localizedDescription)")
        }
    }

    private static func glob(_ pattern: String) -> [String] {
        var matches = glob_t()
        defer { globfree(&matches) }
        guard Glibc.glob(pattern, 0, nil, &matches) == 0 else { return [] }
        return (0..<Int(matches.gl_pathc)).compactMap { index in matches.gl_pathv[index].map { String(cString: $0) } }
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

/// A result an `--abort-on` threshold stopped fails the gate as the run did
/// (exit 3): its figures cover only the part before the stop.
func requireNotAborted(_ result: RunResult) throws {
    guard let abort = result.metadata.aborted else { return }
    Diagnostics.note("threshold breached: \(abort)")
    throw ExitCode(Threshold.thresholdBreachedExitCode)
}
