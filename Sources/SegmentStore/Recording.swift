/// A recording on disk: a directory of segments, or a single segment file.
public struct Recording: Sendable {
    /// The path as given.
    public let path: String
    /// Whether `path` is a directory (else it is a single segment file).
    public let isDirectory: Bool
    /// Sealed segments, grouped by writer instance and in record order within one.
    public let segments: [SegmentFile]
    /// Segments a writer still has open (or left open by a crash), each with
    /// its size when listed. Read only by readers asked to (`RecordReader`'s
    /// `includingOpen`, `RecordingFollower`).
    public let openSegments: [SegmentFile]

    /// Creates a recording directory (and its parents) if it does not exist.
    public static func createDirectory(_ path: String) throws(SegmentStoreError) {
        try PosixDirectory.create(path)
    }

    /// Lists the recording at `path`: a directory of segments, or one segment file.
    public init(path: String) throws(SegmentStoreError) {
        self.path = path
        switch PosixDirectory.isDirectory(path) {
        case nil:
            throw .system(.notFound, path: path, "no such recording")
        case false?:
            isDirectory = false
            let name = String(path.split(separator: "/").last ?? Substring(path))
            segments = [SegmentFile(name: name, path: path)]
            openSegments = []
        case true?:
            isDirectory = true
            let listing = try Self.list(directory: path)
            segments = listing.sealed
            openSegments = listing.open
        }
    }

    /// The segments in `directory` now: sealed ones in record order, and open
    /// ones (by name) with their current size (nil if one is gone already).
    static func list(directory: String) throws(SegmentStoreError) -> (sealed: [SegmentFile], open: [SegmentFile]) {
        let names = try PosixDirectory.entries(directory).sorted()
        let files = names.map { SegmentFile(name: $0, path: joinPath(directory, $0)) }
        let sealed = files.filter { $0.name.hasSuffix(SegmentFileName.sealedSuffix) }.sorted(by: SegmentFile.recordOrder)
        let open = files.filter(\.isOpen).map { file in
            SegmentFile(name: file.name, path: file.path, listedSize: try? file.size())
        }
        return (sealed, open)
    }

    /// The sealed segments split into streams that are each in record order:
    /// one per writer instance, and one per segment whose name the store did not make.
    public var streams: [[SegmentFile]] {
        var streams: [[SegmentFile]] = []
        var indexByInstance: [String: Int] = [:]
        for segment in segments {
            guard let instance = segment.parsedName?.instance else {
                streams.append([segment])
                continue
            }
            if let index = indexByInstance[instance] {
                streams[index].append(segment)
            } else {
                indexByInstance[instance] = streams.count
                streams.append([segment])
            }
        }
        return streams
    }
}

/// One file of a recording.
public struct SegmentFile: Sendable, Hashable {
    public let name: String
    public let path: String
    /// An open segment's compressed size when the recording was listed: a
    /// snapshot reads it up to there.
    public let listedSize: Int64?

    init(name: String, path: String, listedSize: Int64? = nil) {
        self.name = name
        self.path = path
        self.listedSize = listedSize
    }

    public var parsedName: SegmentName? { SegmentName(fileName: name) }
    public var isOpen: Bool { name.hasSuffix(SegmentFileName.sealedSuffix + SegmentFileName.openSuffix) }

    /// Store-made names by (instance, first seq); other names after them, by name.
    static func recordOrder(_ lhs: SegmentFile, _ rhs: SegmentFile) -> Bool {
        switch (lhs.parsedName, rhs.parsedName) {
        case let (l?, r?): l < r
        case (_?, nil): true
        case (nil, _?): false
        case (nil, nil): lhs.name < rhs.name
        }
    }

    /// The file's size in bytes.
    public func size() throws(SegmentStoreError) -> Int64 {
        try PosixFile.openForReading(path).size()
    }

    /// The trailer's summary, or nil when the segment has none.
    public func trailer() throws(SegmentStoreError) -> SegmentSummary? {
        try SegmentTrailer.read(PosixFile.openForReading(path))
    }
}

extension Recording {
    /// The highest `seq` the sealed segments of `instance` hold (nil when none),
    /// so a restarted writer continues above it. Reads the last segment's
    /// trailer, or decodes that segment if it has none. Its name's first `seq`
    /// is a floor even when it decodes to nothing, so a damaged last segment can
    /// neither hand out its numbers again nor block the next segment's name.
    public func lastSeq(of instance: String) -> Int64? {
        guard let last = segments.last(where: { $0.parsedName?.instance == instance }),
              let firstSeq = last.parsedName?.firstSeq else { return nil }
        if let trailer = try? last.trailer(), let lastSeq = trailer.lastSeq { return max(lastSeq, firstSeq) }
        var highest = firstSeq
        let reader = SegmentRecordReader(path: last.path, segment: last.name) { _ in }
        while let line = reader.next() {
            if case .success(let record) = line.record { highest = max(highest, record.seq) }
        }
        return highest
    }
}
