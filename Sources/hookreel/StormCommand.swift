import ArgumentParser
import EventModel
import Foundation
import Primitives
import Replay
import Reporting
import SegmentStore
import Synthesis

struct StormCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "storm",
        abstract: "Synthesize a storm of Orchestrator events from a scenario file.",
        discussion: """
        A scenario (docs/scenarios.md) describes a fleet, the job and queue-item lifecycles \
        that produce events, and an arrival-rate profile. The same file, seed and --start \
        give the same events, byte for byte.

        One output: --check validates the file and prints what it would produce; --print \
        writes the event bodies as NDJSON to stdout; --out writes a recording (records with \
        source "synthesized", received_at the simulated time) as fast as the machine allows; \
        --target sends the events live at their simulated times through the same delivery, \
        thresholds and reports as `hookreel replay`, whose report then ends with the storm's \
        arrivals and emitted events per second (kept in --json and --html too).

        Exit status: 0; 3 when a --fail-on threshold is breached or an --abort-on threshold stops the run; 1 on errors (a bad scenario \
        names its file, line and key; with --target, no request got an HTTP answer); 64 on bad options.
        """
    )

    @Argument(help: "A scenario file (YAML).")
    var scenario: String

    @Flag(help: "Validate the scenario and print its flows and the arrivals and events it produces per stage.")
    var check = false

    @Flag(help: "Write the event bodies as NDJSON to stdout.")
    var print = false

    @Option(help: ArgumentHelp("Write the storm as a recording into this directory.", valueName: "dir"))
    var out: String?

    @Option(help: ArgumentHelp("Send the storm live to this http:// or https:// URL.", valueName: "url"))
    var target: String?

    @OptionGroup(title: "Storm")
    var storm: StormRunOptions

    @OptionGroup(title: "Delivery (with --target)")
    var delivery: DeliveryOptions

    @OptionGroup(title: "Signing (with --target)")
    var secret: SecretOptions

    @Option(name: .customLong("header"), help: ArgumentHelp("With --target: add or replace a request header; repeatable.",
                                                             valueName: "name:value"))
    var headers: [HeaderArgument] = []

    @OptionGroup(title: "Results (with --target)")
    var results: ResultOptions

    @OptionGroup(title: "Scale-out (--shard with --print, --out or --target; --start-at with --target)")
    var scaleOut: ScaleOutOptions

    @OptionGroup(title: "Watching the run (with --target)")
    var live: LiveRunOptions

    func validate() throws {
        let outputs = [check, print, out != nil, target != nil].filter { $0 }.count
        guard outputs == 1 else {
            throw ValidationError("give exactly one of --check, --print, --out DIR or --target URL")
        }
        if let target {
            _ = try parseTarget(target)
        } else if secret.isGiven || !headers.isEmpty || delivery.isGiven || results.isGiven || live.isGiven {
            throw ValidationError("delivery, signing and result options apply to --target")
        }
        if storm.instance != nil, out == nil { throw ValidationError("--instance applies to --out") }
        if check, scaleOut.shard != nil { throw ValidationError("--shard applies to --print, --out and --target") }
        if target == nil, scaleOut.startAt != nil { throw ValidationError("--start-at applies to --target") }
        if target == nil, scaleOut.shard != nil, storm.start == nil {
            // Each shard would otherwise start its own storm at its own now.
            throw ValidationError("--shard with --print or --out needs --start, so every shard synthesizes the same storm")
        }
    }

    func run() async throws {
        let scenario: Scenario
        do {
            scenario = try Scenario.load(path: self.scenario)
        } catch {
            throw CommandFailure("\(error)")
        }
        let shard = try scaleOut.resolvedShard()
        let startAt = try scaleOut.resolvedStart()
        // Shards synthesize the same world: the storm clock starts where the
        // run's clock does, unless --start says otherwise.
        let options = storm.options(defaultStart: startAt ?? .now())
        if check {
            var output = OutputStream.standardOutput()
            output.write(scenario.summary(options: options).description + "\n")
            output.flush()
        } else if print {
            try printBodies(StormSimulator(scenario: scenario, options: options), shard: shard)
        } else if let out {
            try writeRecording(StormSimulator(scenario: scenario, options: options), scenario: scenario, shard: shard, to: out)
        } else if let target {
            try await send(scenario: scenario, options: options, shard: shard, startAt: startAt, to: target)
        }
    }

    private func printBodies(_ simulator: StormSimulator, shard: Shard?) throws {
        var output = OutputStream.standardOutput()
        for event in simulator where shard?.owns(event) ?? true {
            output.writeLine(event.body[...])
        }
        output.flush()
    }

    private func writeRecording(_ simulator: StormSimulator, scenario: Scenario, shard: Shard?, to directory: String) throws {
        let progress = StormWriteProgress(isShown: results.showsProgress)
        let written: (events: Int, arrivals: Int)
        do {
            try Recording.createDirectory(directory)
            let writer = try StormRecordingWriter(directory: directory, instance: storm.instance ?? "storm-\(scenario.name)")
            written = try writer.write(simulator, shard: shard) { events, arrivals, time in
                progress.update(events: events, arrivals: arrivals, simulatedTime: time)
            }
        } catch {
            progress.finish()
            throw CommandFailure("cannot write the storm to \(directory): \(error)")
        }
        progress.finish()
        Diagnostics.note("wrote \(written.events) events (\(written.arrivals) arrivals) to \(directory)")
    }

    private func send(scenario: Scenario, options: StormOptions, shard: Shard?, startAt: Timestamp?,
                      to url: String) async throws {
        let target = try parseTarget(url)
        let counts = StormCounts(shard: shard)
        var configuration = ReplayConfiguration(
            input: .events { StormEventSource(StormSimulator(scenario: scenario, options: options), counts: counts) },
            target: target, pacer: OriginalTimingPacer(speed: 1, maximumGap: nil))
        configuration.command = "storm"
        configuration.shard = shard
        configuration.startAt = startAt
        // Reported as the run's seed: the one that repeats this storm.
        configuration.seed = options.seed ?? scenario.seed
        // A storm's point is its lifecycles: one entity's events are never in
        // flight together, so they arrive in lifecycle order.
        configuration.ordersByEntity = true
        configuration.rewrites = ReplayRewrites(
            signature: try secret.load().map(WebhookSignature.init(secret:)),
            extraHeaders: headers.map { ($0.name, $0.value) })
        try delivery.apply(to: &configuration)
        try live.apply(to: &configuration, defaultRunName: scenario.name)
        var run = try await runReplay(configuration, showsProgress: results.showsProgress, metricsListen: live.metricsListen)
        run.result.storm = counts.series
        try results.write(run.result)
        try run.requireAnAnswer()
        try results.enforceThresholds(on: run.result)
        try run.requireNoAbort()
    }
}

/// `--seed`, `--start`, `--time-scale`, `--load-scale`, `--duration`, `--instance`.
struct StormRunOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Replace the scenario's seed.", valueName: "n"))
    var seed: UInt64?

    @Option(help: ArgumentHelp("Simulated start time, RFC 3339 (default: now; give it for byte-identical output).",
                               valueName: "time"))
    var start: Timestamp?

    @Option(help: ArgumentHelp("Replace the scenario's time_scale (simulated seconds per storm second).", valueName: "x"))
    var timeScale: Double?

    @Option(help: ArgumentHelp("Multiply every load stage's rate by X.", valueName: "x"))
    var loadScale: Double = 1

    @Option(help: ArgumentHelp("Stop the storm after this long (simulated from --start).", valueName: "duration"))
    var duration: DurationArgument?

    @Option(help: ArgumentHelp("With --out: the writer id in segment names and records (default: storm-NAME).",
                               valueName: "id"))
    var instance: String?

    func validate() throws {
        if let timeScale, !Scenario.timeScaleRange.contains(timeScale) {
            throw ValidationError("--time-scale \(timeScale): expected a number from 0.000001 to 1000000")
        }
        if !(loadScale >= 0 && loadScale.isFinite) {
            throw ValidationError("--load-scale \(loadScale): expected a number of at least 0")
        }
        if let duration, duration.duration <= .zero {
            throw ValidationError("--duration must be longer than 0")
        }
    }

    /// The overrides, with the storm clock starting at `--start` or else `defaultStart`.
    func options(defaultStart: Timestamp) -> StormOptions {
        StormOptions(start: start ?? defaultStart, seed: seed, timeScale: timeScale, loadScale: loadScale,
                     duration: duration?.duration)
    }
}

/// A storm as replay input: events at their simulated times.
final class StormEventSource: ReplayEventSource {
    private var simulator: StormSimulator
    private let counts: StormCounts

    init(_ simulator: StormSimulator, counts: StormCounts) {
        self.simulator = simulator
        self.counts = counts
    }

    func next() -> SourceEvent? {
        guard let event = simulator.next() else { return nil }
        counts.record(event, from: simulator.options.start)
        return SourceEvent(time: event.time, type: event.type, body: event.body)
    }

    var skippedRecords: Int { 0 }
}

/// The progress line of `storm --out`: events and arrivals written so far, the
/// simulated time reached and the write rate, redrawn at most four times a second.
final class StormWriteProgress {
    private let isShown: Bool
    private let started = ContinuousClock.now
    private var lastDrawn = ContinuousClock.now

    init(isShown: Bool) { self.isShown = isShown }

    func update(events: Int, arrivals: Int, simulatedTime: Timestamp) {
        guard isShown else { return }
        let now = ContinuousClock.now
        guard now - lastDrawn >= ProgressLine.interval else { return }
        lastDrawn = now
        let elapsed = (now - started).seconds
        let rate = elapsed > 0 ? Int(Double(events) / elapsed) : 0
        FileHandleStderr.write("\r\u{1B}[K\(events) events (\(rate)/s), \(arrivals) arrivals, simulated time \(simulatedTime)")
    }

    func finish() {
        if isShown { FileHandleStderr.write("\r\u{1B}[K") }
    }
}
