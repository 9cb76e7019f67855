import EventModel

/// Reads a recording together with its open segments, once (a snapshot) or
/// following it as it grows (`hookreel cat --follow`); docs/recording-format.md,
/// "Reading open segments", states the rules.
///
/// Each writer instance is one `SegmentStreamReader` (sealed segments, then
/// open ones, across rotations, each record once in `seq` order); instances
/// are merged by `received_at`.
///
/// - Snapshot: open segments are read as far as they were when the recording
///   was listed, up to their last complete record; the merge is exact, as
///   `RecordReader`'s. `next()` returns nil at the end.
/// - Follow: `next()` returns nil when no record may be handed out now; call
///   `poll()` (every `pollInterval`) to look for new segments and for records
///   made durable since. A record is handed out once every other instance has
///   shown a later one, or once it is `reorderWindow` old by the follower's
///   clock (its `received_at` that long ago), or once every instance that shows
///   nothing has shown nothing for `reorderWindow` (a quiet or stopped writer,
///   or clocks that disagree). So records come out at most about
///   `reorderWindow` after they were received, in `received_at` order as long
///   as writers' clocks agree and records become durable within the window; a
///   record later than that comes out when it is read, out of order, never dropped.
public final class RecordingFollower {
    public enum Mode: Sendable {
        /// Read everything once: sealed segments, and open ones as far as they were listed.
        case snapshot
        /// Keep reading as records become durable and segments appear.
        case follow
    }

    /// How often `hookreel cat --follow` polls for growth and new segments.
    public static let pollInterval: Duration = .milliseconds(200)
    /// How long a record may wait for the other instances to catch up.
    public static let defaultReorderWindow: Duration = .seconds(1)

    public let mode: Mode
    private let directory: String?
    private let reorderWindowMicroseconds: Int64
    private let reorderWindow: Duration
    private let monotonicNow: () -> ContinuousClock.Instant
    private let wallNow: () -> Timestamp
    private let report: (ReadIssue) -> Void

    private var streams: [SegmentStreamReader] = []
    private var states: [StreamState] = []
    private var streamByInstance: [String: Int] = [:]
    private var foreignSegments: Set<String> = []

    private struct StreamState {
        /// The stream's next record (the merge front).
        var head: LocatedRecord?
        var isFinished = false
        /// It had nothing this round: not asked again before the next `poll`.
        var isDryThisRound = false
        /// Since when it has had nothing (nil while it has records).
        var drySince: ContinuousClock.Instant?
    }

    /// - Parameters:
    ///   - monotonicNow, wallNow: the clocks of the reorder window (tests set them).
    ///   - report: told of malformed lines and damaged or unreadable segments;
    ///     the unfinished end of an open segment is never one.
    public init(
        _ recording: Recording, mode: Mode, reorderWindow: Duration = RecordingFollower.defaultReorderWindow,
        monotonicNow: @escaping () -> ContinuousClock.Instant = { ContinuousClock.now },
        wallNow: @escaping () -> Timestamp = { Timestamp.now() },
        report: @escaping (ReadIssue) -> Void
    ) {
        self.mode = mode
        directory = recording.isDirectory ? recording.path : nil
        self.reorderWindow = reorderWindow
        let (seconds, attoseconds) = reorderWindow.components
        reorderWindowMicroseconds = seconds * 1_000_000 + attoseconds / 1_000_000_000_000
        self.monotonicNow = monotonicNow
        self.wallNow = wallNow
        self.report = report
        for segment in recording.segments { add(segment) }
        for segment in recording.openSegments { add(segment, sizeLimit: mode == .snapshot ? segment.listedSize : nil) }
    }

    /// Following: lists the directory for segments that appeared, and lets
    /// every stream look at its files again on the next `next()`.
    public func poll() {
        for index in states.indices { states[index].isDryThisRound = false }
        guard mode == .follow, let directory,
              let listing = try? Recording.list(directory: directory) else { return }
        for segment in listing.sealed { add(segment) }
        for segment in listing.open { add(segment) }
    }

    /// The next record to hand out: in a snapshot, nil at the end; following,
    /// nil when none may go now (see the type's notes). `draining` hands out
    /// what has been read without waiting for other instances (at a stop).
    public func next(draining: Bool = false) -> LocatedRecord? {
        let now = monotonicNow()
        for index in states.indices where states[index].head == nil && !states[index].isFinished && !states[index].isDryThisRound {
            switch streams[index].next() {
            case .record(let record):
                states[index].head = record
                states[index].drySince = nil
            case .dry:
                states[index].isDryThisRound = true
                if states[index].drySince == nil { states[index].drySince = now }
            case .finished:
                states[index].isFinished = true
            }
        }
        var earliest: Int?
        for index in states.indices {
            guard let candidate = states[index].head else { continue }
            if let best = earliest, states[best].head!.record.receivedAt <= candidate.record.receivedAt { continue }
            earliest = index
        }
        guard let earliest, let head = states[earliest].head else { return nil }
        if mode == .follow && !draining && !mayHandOut(head, from: earliest, now: now) { return nil }
        states[earliest].head = nil
        return head
    }

    /// Following: whether no other instance can still show an earlier record
    /// (within the reorder window).
    private func mayHandOut(_ head: LocatedRecord, from stream: Int, now: ContinuousClock.Instant) -> Bool {
        if head.record.receivedAt.microsecondsSinceEpoch + reorderWindowMicroseconds <= wallNow().microsecondsSinceEpoch {
            return true
        }
        for index in states.indices where index != stream {
            let state = states[index]
            guard !state.isFinished, state.head == nil else { continue }
            if let since = state.drySince, now - since >= reorderWindow { continue }
            return false
        }
        return true
    }

    private func add(_ segment: SegmentFile, sizeLimit: Int64? = nil) {
        guard let instance = segment.parsedName?.instance else {
            guard foreignSegments.insert(segment.name).inserted else { return }
            let stream = SegmentStreamReader(instance: nil, follows: mode == .follow, relist: nil, report: report)
            stream.offer(segment, sizeLimit: sizeLimit)
            append(stream)
            return
        }
        if let index = streamByInstance[instance] {
            streams[index].offer(segment, sizeLimit: sizeLimit)
            return
        }
        let relist: (() -> [SegmentFile])? = directory.map { directory in
            {
                guard let listing = try? Recording.list(directory: directory) else { return [] }
                return (listing.sealed + listing.open).filter { $0.parsedName?.instance == instance }
            }
        }
        let stream = SegmentStreamReader(instance: instance, follows: mode == .follow, relist: relist, report: report)
        stream.offer(segment, sizeLimit: sizeLimit)
        streamByInstance[instance] = streams.count
        append(stream)
    }

    private func append(_ stream: SegmentStreamReader) {
        streams.append(stream)
        states.append(StreamState())
    }
}
