import EventModel
import SegmentStore

/// Which records of a recording a replay sends.
public struct ReplaySelection: Sendable {
    public var types: [EventTypePattern] = []
    public var since: Timestamp?
    public var until: Timestamp?
    /// The first this-many selected records of each pass.
    public var limit: Int?

    public init(types: [EventTypePattern] = [], since: Timestamp? = nil, until: Timestamp? = nil, limit: Int? = nil) {
        self.types = types
        self.since = since
        self.until = until
        self.limit = limit
    }

    func selects(_ record: RecordLine) -> Bool {
        if let since, record.receivedAt < since { return false }
        if let until, record.receivedAt >= until { return false }
        return types.isEmpty || types.contains(where: record.typeMatches)
    }
}

/// One event to send, from a recording or a synthesized storm.
public struct SourceEvent: Sendable {
    /// When it was received (a recording) or happens (a storm); pacing follows it.
    public var time: Timestamp
    public var type: String?
    public var body: [UInt8]
    /// The `X-UiPath-Signature` it was received with, sent when no secret is given.
    public var recordedSignature: String?
    /// Which pass over the input it belongs to (0 first); times are rebased per pass.
    public var pass: Int

    public init(time: Timestamp, type: String?, body: [UInt8], recordedSignature: String? = nil, pass: Int = 0) {
        self.time = time
        self.type = type
        self.body = body
        self.recordedSignature = recordedSignature
        self.pass = pass
    }
}

/// Where a run's events come from. Sources stream: a run may be longer than
/// memory, so they hand out one event at a time. Called on one thread only.
public protocol ReplayEventSource: AnyObject {
    /// The next event, or nil at the end (or once stopped).
    func next() -> SourceEvent?
    /// Input skipped as unreadable so far (malformed records, corrupt segments).
    var skippedRecords: Int { get }
}

/// Reads a recording pass after pass and keeps the selected records. Holds one
/// record at a time, whatever the recording's size.
final class RecordingEventSource: ReplayEventSource {
    private let recording: Recording
    private let selection: ReplaySelection
    private let passes: Int?
    private let keepsSignatures: Bool
    private let includesOpenSegments: Bool
    private let onIssue: (ReadIssue) -> Bool
    private(set) var skippedRecords = 0
    /// Set when the source stopped at a redacted record it could not send as
    /// recorded (no secret to re-sign its changed body with).
    private(set) var unsignableRecord: LocatedRecord?
    private var reader: RecordReader?
    private var pass = -1
    private var selectedInPass = 0
    private var isStopped = false

    /// - Parameters:
    ///   - passes: how many times to read the recording; nil for forever.
    ///   - keepsSignatures: whether recorded signatures are sent (no secret
    ///     to re-sign with); otherwise they are not looked up.
    ///   - includesOpenSegments: open segments are read too, every pass as far
    ///     as they were when `recording` was listed (what had been captured).
    ///   - onIssue: told of each malformed record or corrupt segment; returning
    ///     false ends the source (`--strict`).
    init(recording: Recording, selection: ReplaySelection, passes: Int?, keepsSignatures: Bool,
         includesOpenSegments: Bool = false, onIssue: @escaping (ReadIssue) -> Bool) {
        self.recording = recording
        self.selection = selection
        self.passes = passes
        self.keepsSignatures = keepsSignatures
        self.includesOpenSegments = includesOpenSegments
        self.onIssue = onIssue
    }

    func next() -> SourceEvent? {
        while !isStopped {
            guard let reader = currentReader() else { return nil }
            guard let located = reader.next() else {
                self.reader = nil
                continue
            }
            // A strict stop reported while the reader skipped a bad line.
            if isStopped { return nil }
            let record = located.record
            guard selection.selects(record) else { continue }
            if let limit = selection.limit, selectedInPass >= limit {
                self.reader = nil
                continue
            }
            if keepsSignatures, record.redacted != nil {
                unsignableRecord = located
                isStopped = true
                return nil
            }
            selectedInPass += 1
            return SourceEvent(time: record.receivedAt, type: record.type, body: record.body,
                               recordedSignature: keepsSignatures ? record.header(WebhookSignature.headerName) : nil,
                               pass: pass)
        }
        return nil
    }

    /// The reader of the current pass, opening the next pass when one is due.
    private func currentReader() -> RecordReader? {
        if let reader { return reader }
        if let passes, pass + 1 >= passes { return nil }
        if pass >= 0, selectedInPass == 0 { return nil } // a pass that selects nothing would loop forever
        pass += 1
        selectedInPass = 0
        let reader = RecordReader(recording, includingOpen: includesOpenSegments) { [weak self] issue in
            guard let self else { return }
            self.skippedRecords += 1
            if !self.onIssue(issue) { self.isStopped = true }
        }
        self.reader = reader
        return reader
    }
}
