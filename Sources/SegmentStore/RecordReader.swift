import EventModel

/// A record with the place it was read from.
public struct LocatedRecord: Sendable {
    public let record: RecordLine
    public let segment: String
    public let line: Int
}

/// Streams the records of a recording in order: each instance's segments in
/// sequence, and several instances merged by `received_at`. Memory stays flat:
/// one decompressed block per stream. Malformed lines and broken segments are
/// reported through `report` and skipped.
///
/// With `includingOpen`, open segments are read too, as far as they were when
/// the recording was listed and up to their last complete record (a
/// `RecordingFollower` snapshot); their unfinished end is not reported.
public final class RecordReader: IteratorProtocol, Sequence {
    private var streams: [SegmentStream]
    /// The next record of each stream (the merge front); filled on first use,
    /// and only when there is more than one stream.
    private var heads: [LocatedRecord?] = []
    /// Reads instead of `streams` when open segments are included.
    private let snapshot: RecordingFollower?

    public init(_ recording: Recording, includingOpen: Bool = false, report: @escaping (ReadIssue) -> Void) {
        if includingOpen {
            streams = []
            snapshot = RecordingFollower(recording, mode: .snapshot, report: report)
        } else {
            streams = recording.streams.map { SegmentStream(segments: $0, report: report) }
            snapshot = nil
        }
    }

    public func next() -> LocatedRecord? {
        if let snapshot { return snapshot.next() }
        if streams.count == 1 { return streams[0].next() }
        if heads.isEmpty { heads = streams.indices.map { streams[$0].next() } }
        var earliest: Int?
        for index in heads.indices {
            guard let candidate = heads[index] else { continue }
            if let best = earliest, heads[best]!.record.receivedAt <= candidate.record.receivedAt { continue }
            earliest = index
        }
        guard let earliest else { return nil }
        let head = heads[earliest]
        heads[earliest] = streams[earliest].next()
        return head
    }

    /// Hands every remaining record to `visit`, in the order `next()` gives
    /// them. One stream's records are handed over without being copied out.
    public func forEachRecord(_ visit: (RecordLine) -> Void) {
        if snapshot == nil, streams.count == 1 {
            streams[0].forEachRecord(visit)
            return
        }
        while let located = next() { visit(located.record) }
    }
}

/// The records of consecutive segments of one stream.
private struct SegmentStream {
    private var remaining: ArraySlice<SegmentFile>
    private var reader: SegmentRecordReader?
    private let report: (ReadIssue) -> Void

    init(segments: [SegmentFile], report: @escaping (ReadIssue) -> Void) {
        remaining = segments[...]
        self.report = report
    }

    mutating func next() -> LocatedRecord? {
        while true {
            if reader == nil {
                reader = openNextSegment()
                guard reader != nil else { return nil }
            }
            guard let line = reader!.next() else {
                reader = nil
                continue
            }
            switch line.record {
            case .success(let record):
                return LocatedRecord(record: record, segment: reader!.segment, line: line.number)
            case .failure(let error):
                report(ReadIssue(.malformedLine, segment: reader!.segment, line: line.number, error.description))
            }
        }
    }

    /// Hands the remaining records to `visit` (see `RecordReader.forEachRecord`).
    mutating func forEachRecord(_ visit: (RecordLine) -> Void) {
        if reader == nil { reader = openNextSegment() }
        while let current = reader {
            current.forEachRecord { number, record in
                switch record {
                case .success(let record): visit(record)
                case .failure(let error): report(ReadIssue(.malformedLine, segment: current.segment, line: number, error.description))
                }
            }
            reader = openNextSegment()
        }
    }

    private mutating func openNextSegment() -> SegmentRecordReader? {
        remaining.popFirst().map { SegmentRecordReader(path: $0.path, segment: $0.name, report: report) }
    }
}
