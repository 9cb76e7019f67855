import ArgumentParser
import CMalloc
import Delivery
import EventModel
import Foundation
import Primitives
import Replay
import Receiver
import Reporting
import SegmentStore

struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay a recording's requests against a receiver and report latency.",
        discussion: """
        Open loop: each request is sent at its scheduled time whether or not earlier ones \
        were answered, and latency is measured from that scheduled time (no coordinated \
        omission). Pacing is the recording's own timing (scaled by --speed) unless --rate \
        or --stage is given; `--rate max --concurrency N` is the one closed-loop mode.

        Each request carries the recorded body bytes (unless --fresh-ids or \
        --rebase-timestamps rewrite them) with Orchestrator's headers: Content-Type, \
        User-Agent and X-UiPath-Signature (recomputed with --secret-*, otherwise as recorded). \
        Requests go to the target URL's path.

        The summary goes to stdout. Exit status: 0 when every --fail-on threshold held, \
        \(Threshold.thresholdBreachedExitCode) when one was breached or an --abort-on threshold stopped the run, 1 on errors (including \
        --strict read errors, and a run in which no request got an HTTP answer), 64 on bad options.
        """
    )

    @Argument(help: "A recording directory, or a single .ndjson.zst segment.")
    var recording: String

    @Option(help: ArgumentHelp("Where to send the requests (an http:// or https:// URL).", valueName: "url"))
    var target: String

    @OptionGroup(title: "Pacing")
    var pacing: PacingOptions

    @OptionGroup(title: "Bounds")
    var bounds: BoundOptions

    @OptionGroup(title: "Delivery")
    var delivery: DeliveryOptions

    @OptionGroup(title: "Selection")
    var selection: SelectionOptions

    @OptionGroup(title: "Rewrites")
    var rewrites: RewriteOptions

    @OptionGroup(title: "Results")
    var results: ResultOptions

    @OptionGroup(title: "Scale-out")
    var scaleOut: ScaleOutOptions

    @OptionGroup(title: "Watching the run")
    var live: LiveRunOptions

    func validate() throws {
        if bounds.passes != 1, rewrites.freshIds == nil {
            throw ValidationError("--loop \(bounds.passes.map(String.init) ?? "forever") sends each event more than once: add --fresh-ids so every delivery has its own EventId")
        }
        try pacing.check()
        if pacing.isClosedLoop, delivery.maxInFlight != nil {
            throw ValidationError("--max-in-flight bounds open-loop runs; with --rate max the bound is --concurrency")
        }
        _ = try makeTarget()
    }

    func run() async throws {
        // Decompressed blocks are a few MiB each. glibc raises its mmap
        // threshold after the first such block is freed and serves the next
        // ones from the heap, where they fragment: peak memory then grew with
        // the run's length (64 -> 83 MiB from 100,000 to 1,000,000 events).
        // A fixed threshold keeps them mapped and unmapped: 58 -> 59 MiB.
        mallopt(M_MMAP_THRESHOLD, 1 << 20)
        let recording = try openRecording(recording)
        let target = try makeTarget()
        let seed = pacing.seed ?? .random(in: .min ... .max)
        var configuration = ReplayConfiguration(recording: recording, target: target, pacer: pacing.makePacer(seed: seed))
        configuration.selection = ReplaySelection(types: selection.types, since: selection.since, until: selection.until,
                                                  limit: selection.limit)
        let secret = try rewrites.secret.load()
        if secret == nil { try refuseRedactedRecords(in: recording) }
        if secret == nil, rewrites.freshIds != nil || rewrites.rebaseTimestamps {
            Diagnostics.warning("bodies are rewritten but no --secret-env/--secret-file was given: recorded signatures will not match")
        }
        configuration.rewrites = ReplayRewrites(
            signature: secret.map(WebhookSignature.init(secret:)), freshEventIds: rewrites.freshIds != nil,
            freshEntities: rewrites.freshIds == .entities, rebaseTimestamps: rewrites.rebaseTimestamps,
            extraHeaders: rewrites.headers.map { ($0.name, $0.value) })
        configuration.passes = bounds.passes
        configuration.duration = bounds.duration?.duration
        configuration.ordersByEntity = selection.order == .entity
        configuration.isStrict = selection.strict
        configuration.includesOpenSegments = selection.includeOpen
        configuration.seed = seed
        configuration.shard = try scaleOut.resolvedShard()
        configuration.startAt = try scaleOut.resolvedStart()
        try delivery.apply(to: &configuration)
        try live.apply(to: &configuration, defaultRunName: recordingName)
        let run = try await runReplay(configuration, showsProgress: results.showsProgress, metricsListen: live.metricsListen)
        try results.write(run.result)
        try run.requireAnAnswer()
        try results.enforceThresholds(on: run.result)
        try run.requireNoAbort()
    }

    private func makeTarget() throws -> DeliveryTarget {
        try parseTarget(target)
    }

    /// Refuses, before anything is sent, a recording whose segments say some
    /// records were redacted: sent with their recorded signatures, they would
    /// fail the receiver's check. (The reader refuses such a record too, for
    /// segments without a trailer to say so.)
    private func refuseRedactedRecords(in recording: Recording) throws {
        guard let redacted = RecordingInspector.inspect(recording, verify: false).total.redactedRecords else { return }
        throw CommandFailure("\(redacted) records of \(self.recording) were redacted when recorded, so their recorded signatures "
            + "no longer match their bodies: give --secret-env or --secret-file to sign the requests anew")
    }

    /// The recording directory's (or segment's) name, the run's default name.
    private var recordingName: String {
        let name = URL(fileURLWithPath: recording).lastPathComponent
        return name.hasSuffix(".ndjson.zst") ? String(name.dropLast(".ndjson.zst".count)) : name
    }
}

/// `--target URL` as a delivery target, or a usage error naming it.
func parseTarget(_ url: String) throws -> DeliveryTarget {
    do {
        return try DeliveryTarget(url: url)
    } catch {
        throw ValidationError("--target: \(error)")
    }
}

/// A finished run of `replay` or `storm --target`.
struct ReplayRun {
    var result: RunResult
    let target: DeliveryTarget
    let firstTransportError: DeliveryFailure?

    /// Fails (exit 1) when requests were sent and none got an HTTP answer: a
    /// receiver that is down is a failed run, thresholds or not.
    func requireAnAnswer() throws {
        let statistics = result.statistics
        guard statistics.requests > 0, statistics.statusCounts.isEmpty else { return }
        let cause = firstTransportError.map { "; the first error: \($0)" } ?? ""
        throw CommandFailure("no request reached \(target): \(statistics.requests) sent, none got an HTTP answer\(cause)")
    }

    /// Fails with the threshold exit status when an `--abort-on` threshold stopped the run.
    func requireNoAbort() throws {
        try requireNotAborted(result)
    }
}

/// Runs the engine with what both `replay` and `storm --target` give: the
/// progress line, the metrics endpoint, and Ctrl-C handling (the first
/// SIGINT/SIGTERM stops scheduling and lets requests in flight finish).
func runReplay(_ configuration: ReplayConfiguration, showsProgress: Bool, metricsListen: ListenAddress?) async throws -> ReplayRun {
    let engine = ReplayEngine(configuration: configuration, onIssue: { issue in
        Diagnostics.warning(issue.description)
    }, onAbort: { abort in
        Diagnostics.note("\(abort); stopping: no new requests, waiting for those in flight")
    })
    if let shard = configuration.shard {
        Diagnostics.note("sending shard \(shard) of the run")
    }
    if let startAt = configuration.startAt {
        let wait = Double(startAt.microsecondsSinceEpoch - Timestamp.now().microsecondsSinceEpoch) / 1e6
        Diagnostics.note(wait > 0 ? "starting at \(startAt) (in \(HumanUnits.duration(.seconds(wait))))"
                                  : "starting late: the clock started at \(startAt)")
    }
    let endpoint = try await startMetricsEndpoint(configuration.metrics, at: metricsListen)
    let signals = TerminationSignals()
    let stopper = Task {
        await signals.wait()
        guard !Task.isCancelled else { return }
        Diagnostics.note("stopping: no new requests; waiting for those in flight")
        engine.stop()
    }
    defer { stopper.cancel() }
    let progress = showsProgress ? ProgressLine.start(engine: engine) : nil
    let outcome: Result<RunResult, ReplayError>
    do throws(ReplayError) { outcome = .success(try await engine.run()) } catch { outcome = .failure(error) }
    await progress?.finish()
    await endpoint?.shutdown()
    switch outcome {
    case .success(let result):
        if let reason = engine.firstOtherError {
            Diagnostics.note("requests failed with 'other' errors; the first: \(reason)")
        }
        return ReplayRun(result: result, target: configuration.target, firstTransportError: engine.firstTransportError)
    case .failure(let error):
        throw CommandFailure("\(error)")
    }
}

/// Serves `metrics` on `address` for the run's length; nil without `--metrics-listen`.
private func startMetricsEndpoint(_ metrics: ReplayMetrics?, at address: ListenAddress?) async throws -> MetricsEndpoint? {
    guard let metrics, let address else { return nil }
    do {
        let endpoint = try await MetricsEndpoint.start(host: address.host, port: address.port, exposition: metrics.exposition)
        Diagnostics.note("serving metrics on http://\(address.host):\(endpoint.port)/metrics")
        return endpoint
    } catch {
        throw CommandFailure("--metrics-listen \(address.host):\(address.port): cannot listen: \(error)")
    }
}

/// `--speed`, `--max-gap`, `--rate`, `--stage`, `--arrival`, `--concurrency`.
struct PacingOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Play the recording's own timing this many times faster (gaps divided by X).", valueName: "x"))
    var speed: Double?

    @Option(help: ArgumentHelp("In original timing, shorten any idle gap longer than this (e.g. 5s).", valueName: "duration"))
    var maxGap: DurationArgument?

    @Option(help: ArgumentHelp("A constant rate (e.g. 500/s, 30000/m), or `max` for closed loop with --concurrency.",
                               valueName: "rate"))
    var rate: RateArgument?

    @Option(name: .customLong("stage"), help: ArgumentHelp(
        "Ramp linearly from the previous rate (--rate, or 0) to RATE over DURATION, e.g. 30s:1000/s; repeatable.",
        valueName: "duration:rate"))
    var stages: [StageArgument] = []

    @Option(help: ArgumentHelp("How arrivals are spread at a given rate: uniform, or poisson (seeded by --seed).",
                               valueName: "process"))
    var arrival: ArrivalProcess = .uniform

    @Option(help: ArgumentHelp(
        "With --rate max: requests kept in flight (closed loop; default \(ReplayConfiguration.defaultClosedLoopConcurrency)).",
        valueName: "n"))
    var concurrency: Int?

    @Option(help: ArgumentHelp("Seed for Poisson arrivals, fresh EventIds and fresh job and queue item Keys (random by default).", valueName: "n"))
    var seed: UInt64?

    var isRateDriven: Bool { rate != nil || !stages.isEmpty }

    var isClosedLoop: Bool {
        guard case .max = rate else { return false }
        return true
    }

    func check() throws {
        if isRateDriven, speed != nil || maxGap != nil {
            throw ValidationError("--speed and --max-gap apply to original timing; they cannot be combined with --rate or --stage")
        }
        if let speed, !(speed > 0 && speed.isFinite) {
            throw ValidationError("--speed \(speed): expected a number greater than 0")
        }
        if case .max = rate, !stages.isEmpty {
            throw ValidationError("--rate max is closed loop; it cannot be combined with --stage")
        }
        if arrival != .uniform, !isRateDriven || isClosedLoop {
            throw ValidationError("--arrival applies to --rate N/s and --stage; original timing and --rate max have no arrival process")
        }
        if concurrency != nil, !isClosedLoop {
            throw ValidationError("--concurrency applies only to --rate max (closed loop); open-loop runs are bounded by --max-in-flight")
        }
        if let concurrency, concurrency < 1 {
            throw ValidationError("--concurrency \(concurrency): expected at least 1")
        }
        if case .perSecond(let value) = rate, value <= 0, stages.isEmpty {
            throw ValidationError("--rate must be greater than 0 (or give --stage to ramp up from 0)")
        }
    }

    func makePacer(seed: UInt64) -> any Pacer {
        switch rate {
        case .max:
            return ClosedLoopPacer(concurrency: concurrency ?? ReplayConfiguration.defaultClosedLoopConcurrency)
        case .perSecond(let startRate):
            return RatePacer(curve: ArrivalCurve(startRate: startRate, stages: stages.map(\.stage)), process: arrival, seed: seed)
        case nil where !stages.isEmpty:
            return RatePacer(curve: ArrivalCurve(startRate: 0, stages: stages.map(\.stage)), process: arrival, seed: seed)
        case nil:
            return OriginalTimingPacer(speed: speed ?? 1, maximumGap: maxGap?.duration)
        }
    }
}

/// `--duration`, `--loop`.
struct BoundOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Schedule nothing after this long.", valueName: "duration"))
    var duration: DurationArgument?

    @Option(name: .customLong("loop"), help: ArgumentHelp("Play the recording N times, or `forever` (needs --fresh-ids or --fresh-ids=events).",
                                                           valueName: "n|forever"))
    var loop: PassCount = .count(1)

    var passes: Int? {
        if case .count(let count) = loop { return count }
        return nil
    }
}

/// `--type`, `--since`, `--until`, `--limit`, `--order`.
struct SelectionOptions: ParsableArguments {
    @Option(name: .customLong("type"), help: ArgumentHelp(
        "Replay records whose event type matches this glob (`*`, `?`); repeatable.", valueName: "glob"))
    var types: [EventTypePattern] = []

    @Option(help: ArgumentHelp("Replay records received at or after this time (RFC 3339).", valueName: "time"))
    var since: Timestamp?

    @Option(help: ArgumentHelp("Replay records received before this time (RFC 3339).", valueName: "time"))
    var until: Timestamp?

    @Option(help: ArgumentHelp("Replay only the first N selected records (of each pass).", valueName: "n"))
    var limit: Int?

    @Option(help: ArgumentHelp("`entity`: events of one job or queue item are never in flight together and keep their recorded order.",
                               valueName: "entity"))
    var order: ReplayOrder?

    @Flag(help: "Stop at the first malformed record or corrupt segment instead of skipping it.")
    var strict = false

    @Flag(help: "Also replay the open segments a recorder is appending to, as far as they are when the replay starts.")
    var includeOpen = false

    func validate() throws {
        if let since, let until, until <= since {
            throw ValidationError("--until (\(until)) must be later than --since (\(since))")
        }
        if let limit, limit < 1 { throw ValidationError("--limit \(limit): expected at least 1") }
    }
}

enum ReplayOrder: String, ExpressibleByArgument {
    case entity
}

/// What `--fresh-ids` renews.
enum FreshIds: String, ExpressibleByArgument {
    /// EventIds, and each pass's jobs and queue items (`--fresh-ids`).
    case entities
    /// EventIds only (`--fresh-ids=events`).
    case events
}

/// `--secret-*`, `--fresh-ids`, `--rebase-timestamps`, `--header`.
struct RewriteOptions: ParsableArguments {
    @OptionGroup var secret: SecretOptions

    // An option whose value may be left out: `--fresh-ids` alone renews the
    // entities too, `--fresh-ids=events` the EventIds only.
    @Option(name: .customLong("fresh-ids"), defaultAsFlag: FreshIds.entities, parsing: .next, help: ArgumentHelp(
        "Give every event a new unique EventId, and every pass new job and queue item Keys and Ids (a new set of lifecycles each pass); --fresh-ids=events renews EventIds only. Required with --loop.",
        valueName: "events"))
    var freshIds: FreshIds?

    @Flag(help: "Shift each event's Timestamp and nested times so the first event is now, keeping the gaps (whole seconds).")
    var rebaseTimestamps = false

    @Option(name: .customLong("header"), help: ArgumentHelp("Add or replace a request header, e.g. 'Authorization: Bearer x'; repeatable.",
                                                             valueName: "name:value"))
    var headers: [HeaderArgument] = []

    func validate() throws {
        // ArgumentParser reads a value it cannot parse as the bare flag, so
        // that `--fresh-ids RECORDING` works; a value written onto the option
        // (`--fresh-ids=event`) is a typo to report instead.
        let attached = "--fresh-ids="
        if let typo = CommandLine.arguments.prefix(while: { $0 != "--" }).first(where: {
            $0.hasPrefix(attached) && FreshIds(argument: String($0.dropFirst(attached.count))) == nil
        }) {
            throw ValidationError("\(typo): expected --fresh-ids or --fresh-ids=events")
        }
    }
}
