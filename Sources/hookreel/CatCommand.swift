import ArgumentParser
import EventModel
import Glibc
import SegmentStore
import Synchronization

struct CatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cat",
        abstract: "Stream a recording's records as NDJSON to stdout.",
        discussion: """
        Records come out in order: each writer instance's segments in sequence, \
        several instances merged by received_at. Lines are printed exactly as stored. \
        Malformed lines and corrupt segments are reported on stderr (segment:line) and \
        skipped; use `hookreel inspect --verify` to fail on them.

        Only sealed segments are read unless asked. --include-open also reads the open \
        segments a recorder is appending to, as far as they are when cat starts, up to \
        their last complete record (every record the recorder has acknowledged in fsync \
        or flush mode); their unfinished end is not reported. --follow then keeps going: \
        every \(Self.pollIntervalText) it reads what has become durable and segments that \
        appeared, across rotations and recorder restarts, each record once, until SIGINT \
        or SIGTERM (exit 0, after printing what was read). Several writer instances are \
        merged by received_at within a \(Self.reorderWindowText) window: a record waits until \
        every other instance has shown a later one, or until it was received \(Self.reorderWindowText) \
        ago, or until the instances showing nothing have shown nothing for \(Self.reorderWindowText); \
        a record that arrives later than that is printed as it comes, out of order, never \
        dropped (docs/recording-format.md, "Reading open segments"). Readers never write, \
        rename or lock the recorder's files.
        """
    )

    static let pollIntervalText = DurationArgument(RecordingFollower.pollInterval).text
    static let reorderWindowText = DurationArgument(RecordingFollower.defaultReorderWindow).text

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

    @Flag(help: "Also read open segments (being written), up to their last complete record when cat starts.")
    var includeOpen = false

    @Flag(help: "Keep printing records as they become durable and segments appear, until interrupted (reads open segments).")
    var follow = false

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
        if follow {
            followRecording(recording)
            return
        }
        if recording.segments.isEmpty && (!includeOpen || recording.openSegments.isEmpty) {
            var message = "no sealed segments (*.ndjson.zst) in '\(recording.path)'"
            if !recording.openSegments.isEmpty {
                message += "; \(recording.openSegments.count) open segment(s): --include-open or --follow reads them"
            }
            Diagnostics.warning(message)
        }
        var skipped = 0
        let reader = RecordReader(recording, includingOpen: includeOpen) { issue in
            skipped += 1
            Diagnostics.warning(issue.description)
        }
        let printer = printer
        var output = OutputStream.standardOutput()
        reader.forEachRecord { printer.print($0, to: &output) }
        output.flush()
        if skipped > 0 { Diagnostics.note("\(skipped) problem(s) reported above; affected lines were skipped") }
    }

    private var printer: RecordPrinter { RecordPrinter(since: since, until: until, types: types, bodiesOnly: body) }

    /// `--follow`: prints what is durable, then polls for more until SIGINT or SIGTERM.
    private func followRecording(_ recording: Recording) {
        var skipped = 0
        let follower = RecordingFollower(recording, mode: .follow) { issue in
            skipped += 1
            Diagnostics.warning(issue.description)
        }
        let printer = printer
        var output = OutputStream.standardOutput()
        InterruptRequest.install()
        while true {
            follower.poll()
            // Once interrupted, what was read is printed without waiting for other instances.
            let isStopping = InterruptRequest.isRequested
            while let located = follower.next(draining: isStopping) { printer.print(located.record, to: &output) }
            output.flush()
            if isStopping { break }
            InterruptRequest.sleep(for: RecordingFollower.pollInterval)
        }
        if skipped > 0 { Diagnostics.note("\(skipped) problem(s) reported above; affected lines were skipped") }
    }
}

/// SIGINT or SIGTERM, for a command that runs on its own thread until
/// interrupted (`cat --follow`).
enum InterruptRequest {
    private static let flag = Atomic(false)

    static var isRequested: Bool { flag.load(ordering: .relaxed) }

    /// From now on, SIGINT and SIGTERM set the flag instead of ending the process.
    static func install() {
        for number in [SIGINT, SIGTERM] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { _ in InterruptRequest.flag.store(true, ordering: .relaxed) }
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0
            sigaction(number, &action, nil)
        }
    }

    /// Sleeps for `duration`, or less once interrupted.
    static func sleep(for duration: Duration) {
        let slice: Duration = .milliseconds(50)
        var left = duration
        while left > .zero && !isRequested {
            let step = min(left, slice)
            let (seconds, attoseconds) = step.components
            var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
            nanosleep(&request, nil)
            left -= step
        }
    }
}

/// What `cat` prints of a record: nothing when a filter leaves it out, else
/// its line or (`--body`) its body. Plain stored values: property-wrapper
/// getters in the loop cost more than the filtering.
private struct RecordPrinter {
    let since: Timestamp?
    let until: Timestamp?
    let types: [EventTypePattern]
    let bodiesOnly: Bool

    func print(_ record: RecordLine, to output: inout OutputStream) {
        if let since, record.receivedAt < since { return }
        if let until, record.receivedAt >= until { return }
        if !types.isEmpty, !types.contains(where: record.typeMatches) { return }
        output.writeLine(bodiesOnly ? record.body[...] : record.bytes)
    }
}
