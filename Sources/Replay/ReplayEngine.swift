import Delivery
import EventModel
import Foundation
import HTTPWire
import NIOCore
import NIOPosix
import Primitives
import Reporting
import SegmentStore
import Synchronization

/// What a run sends.
public enum ReplayInput: Sendable {
    /// A recording, read with the configuration's selection and passes.
    case recording(Recording)
    /// Events from elsewhere (a synthesized storm); the factory runs once per
    /// run, and the source it makes is then read by the run's driver thread.
    case events(@Sendable () -> any ReplayEventSource)
}

/// Everything one replay run needs.
public struct ReplayConfiguration: Sendable {
    /// The defaults, which `hookreel replay --help` and docs/replay.md state.
    public static let defaultMaximumInFlight = 1000
    public static let defaultConnections = 100
    public static let defaultTimeout: Duration = .seconds(60)
    /// A closed loop's concurrency when none is given (`--rate max` alone).
    public static let defaultClosedLoopConcurrency = 64
    /// How long a run goes before `abortOn` is first checked.
    public static let defaultAbortGrace: Duration = .seconds(10)

    public var input: ReplayInput
    /// The command the result names (`replay`, `storm`).
    public var command = "replay"
    public var target: DeliveryTarget
    public var pacer: any Pacer
    public var selection = ReplaySelection()
    /// A recording's open segments are read too, as far as they were when it
    /// was listed (`--include-open`).
    public var includesOpenSegments = false
    public var rewrites = ReplayRewrites()
    /// Passes over the recording; nil for forever (until `duration` or a stop).
    public var passes: Int? = 1
    /// Sent-and-unanswered requests at most in open loop; later sends wait,
    /// and their latency still counts from their send time. A closed loop's
    /// bound is its pacer's concurrency.
    public var maximumInFlight = Self.defaultMaximumInFlight
    /// Keep-alive connections at most, each carrying one request at a time;
    /// nil: one per closed-loop worker, else `defaultConnections`.
    public var connections: Int?
    public var timeout = Self.defaultTimeout
    /// No request is scheduled at or after this offset.
    public var duration: Duration?
    /// Events of one job or queue item never in flight together.
    public var ordersByEntity = false
    /// Seeds Poisson arrivals and fresh event ids.
    public var seed: UInt64 = UInt64.random(in: .min ... .max)
    /// A malformed record or corrupt segment ends the run (otherwise it is
    /// reported and skipped).
    public var isStrict = false
    /// Event loops sending requests.
    public var eventLoopThreads = System.coreCount
    /// How an `https://` target is verified (nil: the system's trust roots).
    public var tls: DeliveryTLS?
    /// This run's part of a sharded run; nil sends the whole stream.
    public var shard: Shard?
    /// The wall-clock instant the run's clock starts (offset zero), so shards
    /// started apart begin together; nil starts as soon as the run is ready.
    /// An instant already past anchors the clock there all the same: events
    /// whose time has gone go out at once, and their lag says how late.
    public var startAt: Timestamp?
    /// Live counts and histograms for `--metrics-listen`; nil keeps none.
    public var metrics: ReplayMetrics?
    /// Checked once a second over the run so far, from `abortGrace` on: the
    /// first that breaches stops the run, and the result says so (`aborted`).
    public var abortOn: [Threshold] = []
    public var abortGrace = Self.defaultAbortGrace

    public init(input: ReplayInput, target: DeliveryTarget, pacer: any Pacer) {
        self.input = input
        self.target = target
        self.pacer = pacer
    }

    public init(recording: Recording, target: DeliveryTarget, pacer: any Pacer) {
        self.init(input: .recording(recording), target: target, pacer: pacer)
    }

    /// Requests in flight at most: the closed loop's concurrency, else `maximumInFlight`.
    var inFlightLimit: Int { pacer.closedLoopConcurrency ?? maximumInFlight }

    /// Connections opened at most.
    var connectionLimit: Int { connections ?? pacer.closedLoopConcurrency ?? Self.defaultConnections }
}

/// What a running replay has done so far (for the progress line).
public struct ReplayProgress: Sendable {
    /// Time since the run's clock started; negative while it waits for `startAt`.
    public var elapsed: Duration
    public var sent: Int
    public var completed: Int
    public var failed: Int
    public var inFlight: Int { sent - completed }
    /// Latency of every request so far.
    public var latency: LatencyHistogram
    /// Latency of the requests completed in the last whole second.
    public var lastSecondLatency: LatencyHistogram
    /// The rate this process's schedule asks for, when it has one.
    public var targetRate: Double?
    /// Set once an `abortOn` threshold has breached and the run is stopping.
    public var abort: RunAbort?
}

public enum ReplayError: Error, Sendable, CustomStringConvertible {
    /// `--strict`: the recording had a malformed record or corrupt segment.
    case unreadableRecording(ReadIssue)
    /// TLS for an `https://` target could not be set up.
    case tls(DeliveryTLSError)
    /// An extra header cannot be sent as given.
    case header(HTTPWireError)
    /// A record's body was redacted at capture and no secret was given to re-sign it.
    case redactedWithoutSecret(segment: String, line: Int, pointers: [String])

    public var description: String {
        switch self {
        case .unreadableRecording(let issue): "stopped (--strict): \(issue)"
        case .tls(let error): "target: \(error)"
        case .header(let error): "--header: \(error)"
        case .redactedWithoutSecret(let segment, let line, let pointers):
            "\(segment):\(line): the body was redacted when recorded (\(pointers.joined(separator: ", "))), so its recorded "
                + "signature no longer matches it: give --secret-env or --secret-file to sign the requests anew"
        }
    }
}

/// Plays a recording against a target, open loop: a driver thread walks the
/// schedule and hands each request at its send time to an event loop, which
/// sends it on one of its connections, times it and records the sample in its
/// own statistics (no locks on that path). Statistics are merged at the end.
public final class ReplayEngine: Sendable {
    public let configuration: ReplayConfiguration
    private let onIssue: @Sendable (ReadIssue) -> Void
    private let onAbort: @Sendable (RunAbort) -> Void
    private let inbox = DriverInbox()
    private let feed: RequestFeed
    private let counters: ProgressCounters
    private let state = Mutex<RunState?>(nil)
    private let isStopRequested = Atomic<Bool>(false)
    private let abort = Mutex<RunAbort?>(nil)

    private struct RunState: Sendable {
        let origin: NIODeadline
        let statistics: [StatisticsBox]
    }

    /// How long before its send time a request is handed to its event loop
    /// (between half of this and all of it), which arms a timer for it: the
    /// driver thread then wakes about once per half of this, not once per
    /// request. (Measured at 20,000/s: waking per request cost two futex calls
    /// a request and most of the driver's time.)
    static let releaseAhead: Duration = .milliseconds(2)

    /// - Parameters:
    ///   - onIssue: told of each malformed record or corrupt segment (which is
    ///     skipped, or ends the run when the configuration is strict).
    ///   - onAbort: told when an `abortOn` threshold breaches, as the run stops.
    public init(configuration: ReplayConfiguration, onIssue: @escaping @Sendable (ReadIssue) -> Void,
                onAbort: @escaping @Sendable (RunAbort) -> Void = { _ in }) {
        self.configuration = configuration
        self.onIssue = onIssue
        self.onAbort = onAbort
        feed = RequestFeed(capacity: 2 * configuration.inFlightLimit + 256)
        counters = ProgressCounters(metrics: configuration.metrics)
    }

    /// Asks the run to schedule nothing more; requests in flight still complete.
    public func stop() {
        isStopRequested.store(true, ordering: .relaxed)
        inbox.requestStop()
        feed.stop()
    }

    /// Runs to the end of the schedule and returns the result.
    public func run() async throws(ReplayError) -> RunResult {
        let configuration = configuration
        let isStrict = configuration.isStrict
        var tls = configuration.tls
        if configuration.target.isSecure && tls == nil {
            do throws(DeliveryTLSError) { tls = try DeliveryTLS() } catch { throw .tls(error) }
        }
        let firstIssue = Mutex<ReadIssue?>(nil)
        let onIssue = onIssue
        let events: any ReplayEventSource
        var recordingSource: RecordingEventSource?
        switch configuration.input {
        case .recording(let recording):
            let source = RecordingEventSource(recording: recording, selection: configuration.selection,
                                              passes: configuration.passes,
                                              keepsSignatures: configuration.rewrites.signature == nil,
                                              includesOpenSegments: configuration.includesOpenSegments) { issue in
                onIssue(issue)
                guard isStrict else { return true }
                firstIssue.withLock { $0 = $0 ?? issue }
                return false
            }
            recordingSource = source
            events = source
        case .events(let makeSource):
            events = makeSource()
        }
        let source: RequestPreparer
        do throws(HTTPWireError) {
            source = try RequestPreparer(source: events, target: configuration.target, pacer: configuration.pacer,
                                         rewrites: configuration.rewrites, ordersByEntity: configuration.ordersByEntity,
                                         shard: configuration.shard, seed: configuration.seed, runStart: configuration.startAt)
        } catch {
            throw .header(error)
        }
        // No more loops than connections: every loop holds at least one.
        let threads = max(1, min(configuration.eventLoopThreads, configuration.connectionLimit))
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        let loops = Array(group.makeIterator())
        let client = DeliveryClient(target: configuration.target, loops: loops, connections: configuration.connectionLimit,
                                    timeout: configuration.timeout, tls: tls)
        let statistics = loops.map { _ in StatisticsBox(metrics: configuration.metrics) }
        let snapshots = zip(loops, statistics).map { loop, box in
            loop.scheduleRepeatedTask(initialDelay: .zero, delay: TimeAmount(Self.progressInterval)) { _ in
                box.publishSnapshot()
            }
        }

        source.prepare()
        let (monotonicNow, wallNow) = (NIODeadline.now(), Timestamp.now())
        var startedAt = configuration.startAt ?? wallNow
        // NIO's clock starts at boot: a start before it is moved up to it, and the result states that start.
        let earliestOffset = -Int64(monotonicNow.uptimeNanoseconds / 1000)
        let offset = max(startedAt.microsecondsSinceEpoch - wallNow.microsecondsSinceEpoch, earliestOffset)
        startedAt = Timestamp(microsecondsSinceEpoch: wallNow.microsecondsSinceEpoch + offset)
        let origin = monotonicNow + TimeAmount.microseconds(offset)
        state.withLock { $0 = RunState(origin: origin, statistics: statistics) }
        let watcher = configuration.metrics == nil && configuration.abortOn.isEmpty ? nil : Task { [self] in await watch(from: origin) }
        await waitUntil(origin)
        if let concurrency = configuration.pacer.closedLoopConcurrency, !configuration.ordersByEntity {
            let driver = ClosedLoopDriver(
                source: source, feed: feed, client: client, origin: origin, statistics: statistics,
                counters: counters, concurrency: concurrency, stopTime: configuration.duration)
            await driver.runOnOwnThread()
        } else {
            let driver = ReplayDriver(
                scheduler: ReplayScheduler(events: source, maximumOutstanding: configuration.inFlightLimit,
                                           ordersByEntity: configuration.ordersByEntity, stopTime: configuration.duration,
                                           releaseAhead: Self.releaseAhead),
                client: client, origin: origin, statistics: statistics, inbox: inbox, counters: counters,
                ordersByEntity: configuration.ordersByEntity)
            await driver.runOnOwnThread()
        }

        watcher?.cancel()
        await watcher?.value
        state.withLock { $0 = nil }
        for snapshot in snapshots { snapshot.cancel() }
        var merged = RunStatistics()
        for (index, loop) in loops.enumerated() {
            let box = statistics[index]
            if let loopStatistics = try? await loop.submit({ box.statistics }).get() {
                merged.merge(loopStatistics)
            }
        }
        await client.shutdown()
        try? await group.shutdownGracefully()

        if let issue = firstIssue.withLock({ $0 }) { throw .unreadableRecording(issue) }
        if let record = recordingSource?.unsignableRecord {
            throw .redactedWithoutSecret(segment: record.segment, line: record.line, pointers: record.record.redacted ?? [])
        }
        let pacer = configuration.pacer
        let metadata = RunMetadata(
            command: configuration.command, target: configuration.target.description, pacing: pacer.summary,
            startedAt: startedAt,
            targetRate: Self.scheduledRate(of: pacer, merged) ?? pacer.targetRate.map { $0 / Double(configuration.shard?.count ?? 1) },
            skippedRecords: source.skippedRecords, seed: configuration.seed, shard: configuration.shard,
            aborted: abort.withLock { $0 })
        return RunResult(metadata: metadata, statistics: merged)
    }

    /// Once a second from when sending starts (the origin, or now when the
    /// origin has passed): sets the metrics' gauges, and from `abortGrace` on
    /// checks `abortOn` over the run so far; the first breach is kept for the
    /// result and stops the run.
    private func watch(from origin: NIODeadline) async {
        let start = max(origin, NIODeadline.now())
        let shards = Double(configuration.shard?.count ?? 1)
        var tick: Int64 = 0
        var lastSent = 0
        while !Task.isCancelled {
            tick += 1
            try? await Task.sleep(for: .nanoseconds(max(0, (start + .seconds(tick) - NIODeadline.now()).nanoseconds)),
                                  tolerance: .milliseconds(10))
            guard !Task.isCancelled, let progress = progress() else { return }
            let planned = configuration.pacer.schedule(at: progress.elapsed).map { (count: $0.count / shards, rate: $0.rate / shards) }
            configuration.metrics?.update(progress, achievedRate: Double(progress.sent - lastSent), targetRate: planned?.rate)
            lastSent = progress.sent
            guard progress.abort == nil, Duration.seconds(tick) >= configuration.abortGrace else { continue }
            if let breach = firstBreach(in: progress, planned: planned) {
                abort.withLock { $0 = breach }
                onAbort(breach)
                stop()
            }
        }
    }

    /// The first `abortOn` threshold that the run so far breaches. `rate`
    /// compares what was released with what the schedule asked for by now
    /// (so a ramp is judged against its own slope), and waits for two
    /// completed requests, as a result's rate does.
    private func firstBreach(in progress: ReplayProgress, planned: (count: Double, rate: Double)?) -> RunAbort? {
        let seconds = max(progress.elapsed.seconds, 1e-3)
        let figures = ThresholdFigures(
            latency: progress.latency, requests: progress.completed, failedRequests: progress.failed,
            achievedRate: Double(progress.sent) / seconds, targetRate: planned.map { $0.count / seconds })
        for threshold in configuration.abortOn {
            if threshold.metric == .rate, figures.achievedFractionOfTarget == nil { continue }
            let check = threshold.check(figures)
            if check.isBreached {
                return RunAbort(threshold: threshold.description, measurement: check.measurement, second: Int(progress.elapsed.seconds.rounded()))
            }
        }
        return nil
    }

    /// Sleeps until `origin` (the `startAt` instant), or until `stop()`.
    private func waitUntil(_ origin: NIODeadline) async {
        while !isStopRequested.load(ordering: .relaxed) {
            let remaining = origin - NIODeadline.now()
            guard remaining > .zero else { return }
            // Short naps keep a stop prompt; the last one lands on the instant.
            try? await Task.sleep(for: .nanoseconds(min(remaining.nanoseconds, 100_000_000)), tolerance: .microseconds(100))
        }
    }

    /// The rate the schedule asked for: events over the span of their send
    /// times. Honest where a nominal rate is not: a run cut short by the end of
    /// the recording or `--duration` asked only for what it scheduled, and
    /// original timing has no nominal rate. Closed loop ("as fast as
    /// answered") has none.
    private static func scheduledRate(of pacer: any Pacer, _ statistics: RunStatistics) -> Double? {
        guard pacer.closedLoopConcurrency == nil, let span = statistics.intendedSpan, statistics.requests > 1,
              span.lastMicroseconds > span.firstMicroseconds
        else { return nil }
        return Double(statistics.requests - 1) / (Double(span.lastMicroseconds - span.firstMicroseconds) / 1e6)
    }

    /// How often each loop publishes its latency histogram for `progress()`.
    static let progressInterval: Duration = .milliseconds(250)

    /// The reason of the run's first `other` transport error, if it had one.
    public var firstOtherError: String? { counters.firstOtherError }
    /// The run's first transport error of any class, if it had one.
    public var firstTransportError: DeliveryFailure? { counters.firstTransportError }

    /// A snapshot for the progress line (latency as of the last publication,
    /// at most `progressInterval` old); nil when no run is going.
    public func progress() -> ReplayProgress? {
        guard let run = state.withLock({ $0 }) else { return nil }
        var latency = LatencyHistogram()
        var lastSecond = LatencyHistogram()
        for box in run.statistics {
            let published = box.published
            latency.merge(published.latency)
            lastSecond.merge(published.lastSecond)
        }
        let elapsed = NIODeadline.now() - run.origin
        let shards = Double(configuration.shard?.count ?? 1)
        return ReplayProgress(elapsed: .nanoseconds(elapsed.nanoseconds), sent: counters.sent.load(ordering: .relaxed),
                              completed: counters.completed.load(ordering: .relaxed),
                              failed: counters.failed.load(ordering: .relaxed), latency: latency, lastSecondLatency: lastSecond,
                              targetRate: configuration.pacer.targetRate.map { $0 / shards }, abort: abort.withLock { $0 })
    }
}

/// One event loop's statistics. (`@unchecked Sendable`: touched only on that
/// loop, including the final read, which is submitted to it.)
final class StatisticsBox: @unchecked Sendable {
    private(set) var statistics = RunStatistics()
    private let metrics: ReplayMetrics?
    /// Latency of the requests completed since the current second's window opened.
    private var currentSecond = LatencyHistogram()
    private var publications = 0
    /// What `progress()` reads from any thread: the latency so far and of the
    /// last whole second, as of the last `publishSnapshot()`.
    private let snapshot = Mutex((latency: LatencyHistogram(), lastSecond: LatencyHistogram()))

    init(metrics: ReplayMetrics? = nil) {
        self.metrics = metrics
    }

    /// On the loop: counts a completed request.
    func record(_ sample: RequestSample) {
        statistics.record(sample)
        metrics?.completed(sample)
        currentSecond.record(sample.completed - sample.intended)
    }

    /// On the loop, every `progressInterval`: makes the latency so far visible
    /// to `progress()`, and closes the last second's window once a second.
    func publishSnapshot() {
        let latency = statistics.latency
        publications += 1
        let secondEnded = publications % Int(Duration.seconds(1) / ReplayEngine.progressInterval) == 0
        let lastSecond = secondEnded ? currentSecond : nil
        if secondEnded { currentSecond = LatencyHistogram() }
        snapshot.withLock { published in
            published.latency = latency
            if let lastSecond { published.lastSecond = lastSecond }
        }
    }

    var published: (latency: LatencyHistogram, lastSecond: LatencyHistogram) { snapshot.withLock { $0 } }
}

final class ProgressCounters: Sendable {
    /// Requests released by the schedule (handed to a loop, at most
    /// `releaseAhead` before their send time).
    let sent = Atomic<Int>(0)
    let completed = Atomic<Int>(0)
    /// Completed without a 2xx answer.
    let failed = Atomic<Int>(0)
    /// The run's first transport error, and its first `other` one (a TLS
    /// handshake, a DNS lookup): the class alone does not tell a user what to fix.
    private let firstErrors = Mutex<(any: DeliveryFailure?, other: String?)>((nil, nil))
    /// Set once both are known, so later failures skip the lock.
    private let knowsFirstErrors = Atomic<Bool>(false)
    private let metrics: ReplayMetrics?

    init(metrics: ReplayMetrics? = nil) {
        self.metrics = metrics
    }

    /// Counts requests the schedule released.
    func released(_ count: Int) {
        sent.add(count, ordering: .relaxed)
        metrics?.released(count)
    }

    /// Counts a request handed to a connection at its send time (on its loop).
    func sending() {
        metrics?.sending()
    }

    /// Counts a completed request (on its event loop).
    func complete(_ result: Result<Int, DeliveryFailure>) {
        completed.add(1, ordering: .relaxed)
        guard !RequestOutcome(result).isSuccess else { return }
        failed.add(1, ordering: .relaxed)
        guard case .failure(let failure) = result, !knowsFirstErrors.load(ordering: .relaxed) else { return }
        let knowsBoth = firstErrors.withLock { errors in
            errors.any = errors.any ?? failure
            if case .other(let reason) = failure { errors.other = errors.other ?? reason }
            return errors.other != nil
        }
        if knowsBoth { knowsFirstErrors.store(true, ordering: .relaxed) }
    }

    var firstOtherError: String? { firstErrors.withLock { $0.other } }
    var firstTransportError: DeliveryFailure? { firstErrors.withLock { $0.any } }
}
