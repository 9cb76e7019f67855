import ArgumentParser
import EventModel
import SegmentStore

struct CatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cat",
        abstract: "Stream a recording's records as NDJSON to stdout.",
        discussion: """
        Records come out in order: each writer instance's segments in sequence, \
        several instances merged by received_at. Lines are printed exactly as stored. \
        Malformed lines and corrupt segments are reported on stderr (segment:line) and \
        skipped; use `hookreel inspect --verify` to fail on them.
        """
    )

    @Argument(help: "A recording directory, or a single .ndjson.zst segment.")
    var recording: String

    @Option(name: .customLong("type"), help: ArgumentHelp(
        "Keep records whose event type matches this glob (`*`, `?`); repeatable.", valueName: "glob"))
    var types: [EventTypePattern] = []

    @Option(help: ArgumentHelp("Keep records received at or after this time (RFC 3339).", valueName: "time"))
    var since: Timestamp?

    @Option(help: ArgumentHelp("Keep records received before this time (RFC 3339).", valueName: "time"))
    var until: Timestamp?

    @Flag(help: "Print only each record's request body, one per line.")
    var body = false

    func validate() throws {
        if let since, let until, until <= since {
            throw ValidationError("--until (\(until)) must be later than --since (\(since))")
        }
        for pattern in types where !pattern.matchesSomeKnownType {
            Diagnostics.warning("--type '\(pattern)' matches no Orchestrator event type")
        }
    }

    func run() throws {
        let recording = try openRecording(recording)
        if recording.segments.isEmpty {
            Diagnostics.warning("no sealed segments (*.ndjson.zst) in '\(recording.path)'")
        }
        var skipped = 0
        let reader = RecordReader(recording) { issue in
            skipped += 1
            Diagnostics.warning(issue.description)
        }
        // Plain locals: property-wrapper getters in the loop cost more than the filtering.
        let (since, until, types, bodiesOnly) = (since, until, types, body)
        var output = OutputStream.standardOutput()
        for located in reader {
            let record = located.record
            if let since, record.receivedAt < since { continue }
            if let until, record.receivedAt >= until { continue }
            if !types.isEmpty, !types.contains(where: record.typeMatches) { continue }
            output.writeLine(bodiesOnly ? record.body[...] : record.bytes)
        }
        output.flush()
        if skipped > 0 { Diagnostics.note("\(skipped) problem(s) reported above; affected lines were skipped") }
    }
}
