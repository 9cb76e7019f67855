import ArgumentParser
import Foundation
import Reporting

/// `--json`, `--hgrm`, `--html`, `--junit`, `--fail-on`, `--quiet`.
struct ResultOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Write the full result (histograms included) as JSON, for `hookreel report`.", valueName: "file"))
    var json: String?

    @Option(help: ArgumentHelp("Write the latency percentile distribution in HdrHistogram's .hgrm format.", valueName: "file"))
    var hgrm: String?

    @Option(help: ArgumentHelp("Write a self-contained HTML report with charts.", valueName: "file"))
    var html: String?

    @Option(help: ArgumentHelp("Write the verdict as JUnit XML. " + ResultOptions.junitContents, valueName: "file"))
    var junit: String?

    /// What `--junit` writes, for every command that takes it.
    static let junitContents = "For CI: a test case per --fail-on threshold, one for transport errors, and a failing one when --abort-on stopped the run."


    @Option(name: .customLong("fail-on"), help: ArgumentHelp(
        "Exit \(Threshold.thresholdBreachedExitCode) when this holds, e.g. 'p99>250ms', 'p99.9>1s', 'errors>0.5%', 'rate<95%'; repeatable.",
        valueName: "expr"))
    var failOn: [String] = []

    @Flag(help: "No live progress line on stderr.")
    var quiet = false

    var showsProgress: Bool { !quiet && isatty(STDERR_FILENO) == 1 }

    /// Whether a result file or threshold was asked for.
    var isGiven: Bool { json != nil || hgrm != nil || html != nil || junit != nil || !failOn.isEmpty }

    func validate() throws {
        _ = try thresholds()
    }

    /// The parsed `--fail-on` expressions; a bad one fails before the run starts.
    func thresholds() throws -> [Threshold] {
        do {
            return try failOn.map { text throws(ThresholdError) in try Threshold(parsing: text) }
        } catch {
            throw ValidationError("--fail-on: \(error)")
        }
    }

    func write(_ result: RunResult) throws {
        var output = OutputStream.standardOutput()
        output.write(TextReport().render(result))
        output.flush()
        try reporting { () throws(ReportError) in
            if let json { try result.write(toFile: json) }
            if let hgrm { try ReportFile.replace(hgrm, with: HgrmReport().render(result)) }
            if let html { try ReportFile.replace(html, with: HTMLReport().render(result)) }
        }
        if let junit {
            let thresholds = try thresholds()
            try reporting { () throws(ReportError) in
                try ReportFile.replace(junit, with: JUnitReport(hostname: Self.hostname).render(result, thresholds: thresholds))
            }
        }
    }

    /// This machine's name, where the run happened, for the JUnit suite; "localhost" without one.
    private static var hostname: String {
        var name = [CChar](repeating: 0, count: 256)
        guard gethostname(&name, name.count - 1) == 0 else { return "localhost" }
        let text = name.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return text.isEmpty ? "localhost" : text
    }

    func enforceThresholds(on result: RunResult) throws {
        let breaches = try thresholds().compactMap { $0.breach(in: result) }
        guard !breaches.isEmpty else { return }
        for breach in breaches { Diagnostics.note("threshold breached: \(breach)") }
        throw ExitCode(Threshold.thresholdBreachedExitCode)
    }
}
