import ArgumentParser
import EventModel
import Foundation
import Primitives
import SegmentStore

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Summarise a recording: segments, records, time range, event types, sizes.",
        discussion: """
        Summaries come from segment trailers where present (only file tails are read); \
        other segments are decoded. Open segments (a recorder is appending to them, or \
        one crashed) are decoded up to their last complete record and counted apart \
        ("open": what `cat --include-open` would read now); their unfinished end is not \
        a problem. --verify decodes everything and exits with status 1 \
        on corrupt frames, torn segments, malformed lines, trailers that disagree with \
        their segment, or duplicate or missing seq within an instance, naming the segment and line.
        """
    )

    @Argument(help: "A recording directory, or a single .ndjson.zst segment.")
    var recording: String

    @Flag(help: "Decode every record and check integrity; exit 1 on any problem.")
    var verify = false

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() throws {
        let report = RecordingInspector.inspect(try openRecording(recording), verify: verify)
        var output = OutputStream.standardOutput()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            output.write(try encoder.encode(report))
            output.write("\n")
        } else {
            output.write(InspectionText.render(report))
        }
        output.flush()
        if !verify {
            for issue in report.issues { Diagnostics.warning(issue.description) }
        } else if !report.issues.isEmpty {
            throw ExitCode(1)
        }
    }
}

/// The human-readable form of a `RecordingReport`.
enum InspectionText {
    /// Problems listed in the text report; `--json` carries all of them.
    static let maximumListedIssues = 50

    static func render(_ report: RecordingReport) -> String {
        let total = report.total
        var lines: [String] = []
        lines.append("recording   \(report.path)")
        lines.append("segments    \(report.segments.count) sealed, \(report.openSegments.count) open")
        lines.append("records     \(total.records)")
        if !report.openSegments.isEmpty {
            let open = report.openTotal
            let plural = report.openSegments.count == 1 ? "" : "s"
            lines.append("open        \(open.records) records so far in \(report.openSegments.count) open segment\(plural) (cat --include-open reads them)")
        }
        if let first = total.firstReceivedAt, let last = total.lastReceivedAt {
            let span = Double(last.microsecondsSinceEpoch - first.microsecondsSinceEpoch) / 1_000_000
            lines.append("time        \(first) .. \(last) (\(formatSeconds(span)))")
        }
        lines.append("bytes       \(formatBytes(report.compressedBytes)) compressed, \(formatBytes(total.uncompressedBytes)) uncompressed, ratio \(formatRatio(report.compressionRatio))")
        if let redacted = total.redactedRecords {
            lines.append("redacted    \(redacted) records' bodies were redacted (replay re-signs them with --secret-*)")
        }
        let untyped = total.records - total.types.values.reduce(0, +)
        if !total.types.isEmpty || untyped > 0 {
            lines.append("types")
            let width = max(total.types.keys.map(\.count).max() ?? 0, 9)
            for (type, count) in total.types.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }) {
                lines.append("  " + pad(type, width) + "  " + String(count))
            }
            if untyped > 0 { lines.append("  " + pad("(no type)", width) + "  " + String(untyped)) }
        }
        let rows = report.segments + report.openSegmentReports
        if !rows.isEmpty {
            lines.append("")
            let width = max(rows.map(\.name.count).max() ?? 0, 7)
            lines.append(pad("segment", width) + "  " + leftPad("records", 9) + "  " + leftPad("seq", 23) + "  "
                         + leftPad("compressed", 11) + "  " + leftPad("uncompressed", 12) + "  summary")
            for segment in rows {
                let summary = segment.summary
                let seq = summary.firstSeq.map { "\($0)-\(summary.lastSeq ?? $0)" } ?? "-"
                let source = segment.summarySource == .open
                    ? "open: so far (being written, or left by a crash)" : segment.summarySource.rawValue
                lines.append(pad(segment.name, width) + "  " + leftPad(String(summary.records), 9) + "  " + leftPad(seq, 23) + "  "
                             + leftPad(formatBytes(segment.compressedBytes), 11) + "  "
                             + leftPad(formatBytes(summary.uncompressedBytes), 12) + "  " + source)
            }
        }
        if report.verified {
            lines.append("")
            if report.issues.isEmpty {
                let open = report.openSegments.isEmpty ? "" : " (and \(report.openTotal.records) so far in open segments)"
                lines.append("verify      OK: \(total.records) records decoded\(open), frames intact, seq contiguous per instance")
            } else {
                lines.append("verify      FAILED: \(report.issues.count) problem(s)")
                for issue in report.issues.prefix(maximumListedIssues) { lines.append("  " + issue.description) }
                if report.issues.count > maximumListedIssues {
                    lines.append("  ... and \(report.issues.count - maximumListedIssues) more (--json lists all)")
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func formatBytes(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : "\(DecimalText.fixed(value, places: 1)) \(units[unit])"
    }

    static func formatRatio(_ ratio: Double) -> String { "\(DecimalText.fixed(ratio, places: 1))x" }

    static func formatSeconds(_ seconds: Double) -> String {
        if seconds < 60 { return "\(DecimalText.fixed(seconds, places: 3)) s" }
        let whole = Int(seconds)
        if whole < 3600 { return "\(whole / 60)m \(whole % 60)s" }
        return "\(whole / 3600)h \(whole % 3600 / 60)m \(whole % 60)s"
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - text.count))
    }

    private static func leftPad(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }
}
