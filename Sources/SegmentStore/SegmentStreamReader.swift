import EventModel

/// A segment a stream is still to read.
struct PendingSegment {
    var file: SegmentFile
    var isOpen: Bool
    /// Compressed bytes to read at most: an open segment's size when a
    /// snapshot listed it (nil: to the end).
    var sizeLimit: Int64?
    /// Records with a `seq` at or below this were handed out already (a
    /// segment read again under its sealed name).
    var skipThrough: Int64?

    var name: SegmentName? { file.parsedName }
}

/// The records of one writer instance, sealed segments and open ones alike,
/// in `seq` order; or of one segment the store did not name. Unlike
/// `RecordReader`'s sealed-only streams, it copes with files that change
/// while it reads them:
///
/// - An open segment is read up to its last complete record, never reporting
///   the unfinished rest. Following, it is read again as it grows, and once it
///   is no longer under its `.open` name (sealed, or recovered after a crash)
///   it is read to its end, which is then final: the writer renames a segment
///   only after writing all of it. If that end is not a clean one (a crash left
///   it torn; recovery sealed what it could), the sealed file of the same name
///   is read too, past the last `seq` handed out.
/// - An open segment already gone when it is opened (sealed since it was
///   listed) is read under its sealed name.
/// - A listing can miss a file that is being renamed: before a segment whose
///   first `seq` leaves a gap after the last one read, the directory is listed
///   again once.
///
/// Files are opened read-only; nothing is written, renamed or locked.
final class SegmentStreamReader {
    enum Step {
        case record(LocatedRecord)
        /// Nothing more now; following, more may come later.
        case dry
        /// Nothing more, ever.
        case finished
    }

    /// The writer instance; nil for a segment the store did not name.
    let instance: String?
    /// Following: open segments are read again as they grow, and an instance's
    /// stream never finishes. Otherwise everything is read once.
    private let follows: Bool
    private let report: (ReadIssue) -> Void
    /// Lists the instance's segments again (nil for a single-file recording).
    private let relist: (() -> [SegmentFile])?

    /// Segments to read, the next one last once sorted (by first `seq`, descending).
    private var queue: [PendingSegment] = []
    private var isQueueSorted = true
    /// The names in `queue`, and whether each is queued as open.
    private var queuedNames: [SegmentName: Bool] = [:]
    private var current: Current?
    /// The last segment started: listings offer only later ones.
    private var started: SegmentName?
    /// The `seq` after which the directory was listed again for a gap.
    private var relistedAfter: Int64?
    /// The highest `seq` handed out.
    private(set) var lastSeq: Int64?

    private enum Current {
        case sealed(SegmentRecordReader, skipThrough: Int64?)
        /// `isClosing`: the file is no longer open under its name; this is the last read.
        case open(GrowingSegmentReader, PendingSegment, isClosing: Bool)
    }

    init(instance: String?, follows: Bool, relist: (() -> [SegmentFile])?, report: @escaping (ReadIssue) -> Void) {
        self.instance = instance
        self.follows = follows
        self.relist = relist
        self.report = report
    }

    /// Adds a segment to read, unless it is read or queued already. A sealed
    /// file replaces a queued open one of the same name (it was sealed meanwhile).
    func offer(_ file: SegmentFile, sizeLimit: Int64? = nil) {
        let segment = PendingSegment(file: file, isOpen: file.isOpen, sizeLimit: file.isOpen ? sizeLimit : nil)
        guard let name = segment.name else {
            enqueue(segment)
            return
        }
        if let started, name <= started { return }
        if let queuedAsOpen = queuedNames[name] {
            if queuedAsOpen && !segment.isOpen, let index = queue.firstIndex(where: { $0.name == name }) {
                queue[index] = segment
                queuedNames[name] = false
            }
            return
        }
        queuedNames[name] = segment.isOpen
        enqueue(segment)
    }

    private func enqueue(_ segment: PendingSegment) {
        queue.append(segment)
        isQueueSorted = false
    }

    func next() -> Step {
        while true {
            guard let reading = current else {
                guard let segment = takeNext() else { return follows && instance != nil ? .dry : .finished }
                start(segment)
                continue
            }
            switch reading {
            case .sealed(let reader, let skipThrough):
                guard let line = reader.next() else {
                    current = nil
                    continue
                }
                if let record = accept(line, segment: reader.segment, skipThrough: skipThrough) { return .record(record) }
            case .open(let reader, let segment, let isClosing):
                if let line = reader.next() {
                    if let record = accept(line, segment: reader.segment, skipThrough: segment.skipThrough) { return .record(record) }
                    continue
                }
                if !follows {
                    // A snapshot reads an open segment once, as far as it was listed.
                    current = nil
                    continue
                }
                if !isClosing {
                    if PosixDirectory.exists(segment.file.path) { return .dry }
                    // Renamed (or removed) since the last read: everything the
                    // writer will ever write to it is there now. One last read.
                    current = .open(reader, segment, isClosing: true)
                    continue
                }
                finishOpenSegment(reader, segment)
            }
        }
    }

    private func takeNext() -> PendingSegment? {
        sortQueue()
        guard let first = queue.last else { return nil }
        if let relist, let lastSeq, let firstSeq = first.name?.firstSeq, firstSeq > lastSeq + 1, relistedAfter != lastSeq {
            relistedAfter = lastSeq
            for file in relist() where (file.parsedName?.firstSeq ?? .max) < firstSeq { offer(file) }
            sortQueue()
        }
        let next = queue.removeLast()
        if let name = next.name {
            queuedNames[name] = nil
            started = name
        }
        return next
    }

    private func sortQueue() {
        guard !isQueueSorted else { return }
        queue.sort { ($0.name?.firstSeq ?? .max) > ($1.name?.firstSeq ?? .max) }
        isQueueSorted = true
    }

    private func start(_ segment: PendingSegment) {
        guard segment.isOpen else {
            current = .sealed(SegmentRecordReader(path: segment.file.path, segment: segment.file.name, report: report),
                              skipThrough: segment.skipThrough)
            return
        }
        do {
            let reader = try GrowingSegmentReader(path: segment.file.path, segment: segment.file.name,
                                                  limit: segment.sizeLimit, report: report)
            current = .open(reader, segment, isClosing: false)
        } catch {
            guard error.code == .notFound else {
                report(ReadIssue(.unreadable, segment: segment.file.name, line: nil, error.description))
                return
            }
            // Sealed since it was listed (or recovered, or removed for holding no record).
            guard let sealed = sealedFile(of: segment) else { return }
            if let limit = segment.sizeLimit {
                // A snapshot: the same bytes under the sealed name, as far as they were listed.
                let replacement = PendingSegment(file: sealed, isOpen: false, sizeLimit: limit, skipThrough: lastSeq)
                if let reader = try? GrowingSegmentReader(path: sealed.path, segment: sealed.name, limit: limit, report: report) {
                    current = .open(reader, replacement, isClosing: true)
                }
            } else {
                current = .sealed(SegmentRecordReader(path: sealed.path, segment: sealed.name, report: report), skipThrough: lastSeq)
            }
        }
    }

    /// An open segment was read to its final end. If the writer did not end
    /// it (a crash tore it, or bytes did not decode), the sealed file recovery
    /// made of it is read too, past what was handed out.
    private func finishOpenSegment(_ reader: GrowingSegmentReader, _ segment: PendingSegment) {
        current = nil
        guard !reader.isAtCleanEnd, segment.isOpen, let sealed = sealedFile(of: segment) else { return }
        // Its first seq is below every queued one's: it is read next.
        enqueue(PendingSegment(file: sealed, isOpen: false, sizeLimit: nil, skipThrough: lastSeq))
    }

    /// The sealed file an open segment became, if it exists.
    private func sealedFile(of segment: PendingSegment) -> SegmentFile? {
        let suffix = SegmentFileName.openSuffix
        let sealed = SegmentFile(name: String(segment.file.name.dropLast(suffix.count)), path: String(segment.file.path.dropLast(suffix.count)))
        return PosixDirectory.exists(sealed.path) ? sealed : nil
    }

    private func accept(_ line: SegmentLine, segment: String, skipThrough: Int64?) -> LocatedRecord? {
        switch line.record {
        case .success(let record):
            if let skipThrough, record.seq <= skipThrough { return nil }
            if instance != nil { lastSeq = max(lastSeq ?? record.seq, record.seq) }
            return LocatedRecord(record: record, segment: segment, line: line.number)
        case .failure(let error):
            report(ReadIssue(.malformedLine, segment: segment, line: line.number, error.description))
            return nil
        }
    }
}
