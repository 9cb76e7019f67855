import EventModel
import Glibc

/// When a flush may return.
public enum FlushLevel: Sendable {
    /// The bytes are handed to the kernel (`write(2)` returned): survives a process crash.
    case written
    /// The bytes are on stable storage (`fdatasync(2)` returned): survives power loss.
    case synced
}

/// Appends records of one writer instance to segments in a recording
/// directory, rotating by compressed size and age. Not thread-safe: one thread
/// drives it (the recorder's `RecordLog` writer thread; `pack` and `storm
/// --out` on the thread that writes).
public final class SegmentWriter {
    public struct Options: Sendable {
        /// Seal once the open segment's compressed size reaches this.
        public var maximumSegmentBytes: Int64 = 64 << 20
        /// Seal at the first flush after the segment has been open this long.
        public var maximumSegmentAge: Duration = .seconds(600)
        /// zstd level; 3 is zstd's default and the benchmarks' reference.
        public var compressionLevel: Int32 = 3
        /// Compressed bytes held in memory before they are written even without a flush.
        public var writeBufferBytes = 1 << 20

        public init() {}
    }

    public let directory: String
    public let instance: String
    public let options: Options
    private let now: () -> ContinuousClock.Instant

    private let compressor: ZstdCompressor
    private var open: OpenSegment?
    /// The highest `seq` appended and not forgotten by a failed write.
    public private(set) var lastSeq: Int64?
    /// `lastSeq` at the last successful flush or seal.
    private var flushedLastSeq: Int64?
    /// A failed write left an open segment behind that must be recovered first.
    private var hasAbandonedSegment = false
    /// After a failed recovery of the abandoned segment: the failure, and when
    /// appends may try again. Recovery decodes the whole segment, and trying it
    /// on every append of a full disk kept a core busy and every answer slow.
    private var recoveryBackoff: (failure: SegmentStoreError, until: ContinuousClock.Instant)?
    public static let recoveryRetryInterval: Duration = .seconds(1)
    /// Scratch buffer for the line being appended, reused for every line;
    /// roomy enough that escaping a usual body needs no count first (see
    /// `JSONWriter.string(utf8:)`).
    private var pendingLine = JSONWriter(reservingCapacity: 64 * 1024)

    /// The segment being appended to.
    private struct OpenSegment {
        let name: SegmentName
        let file: PosixFile
        let openedAt: ContinuousClock.Instant
        var summary = SegmentSummary()
        /// Compressed bytes produced but not yet written to the file.
        var output: [UInt8] = []
        var writtenBytes: Int64 = 0
        /// `writtenBytes` at the last successful flush.
        var flushedBytes: Int64 = 0
        var hasUnflushedRecords = false

        var compressedBytes: Int64 { writtenBytes + Int64(output.count) }
    }

    /// Names of the segments this writer has sealed, oldest first.
    public private(set) var sealedSegments: [String] = []

    /// - Parameter lastSeq: the highest `seq` already on disk for this instance;
    ///   appends must go above it.
    public init(
        directory: String, instance: String, lastSeq: Int64? = nil, options: Options = Options(),
        now: @escaping () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) throws(SegmentStoreError) {
        guard SegmentName.isValidInstance(instance) else {
            throw SegmentStoreError(.invalidInstance, path: directory,
                "instance id '\(instance)' must be 1-\(SegmentFileName.maximumInstanceLength) characters of A-Z a-z 0-9 . _ -")
        }
        try PosixDirectory.create(directory)
        self.directory = directory
        self.instance = instance
        self.lastSeq = lastSeq
        flushedLastSeq = lastSeq
        self.options = options
        self.now = now
        do {
            compressor = try ZstdCompressor(level: options.compressionLevel)
        } catch {
            throw SegmentStoreError(.compression, path: directory, error.description)
        }
    }

    /// The compressed size of the open segment so far (0 when none is open).
    public var openSegmentBytes: Int64 { open?.compressedBytes ?? 0 }

    /// Encodes and appends a record. It is durable only after `flush`.
    public func append(_ record: RecordedRequest) throws(SegmentStoreError) {
        pendingLine.truncate(to: 0)
        record.appendLine(to: &pendingLine)
        try pendingLine.withUnsafeBytes { line throws(SegmentStoreError) in
            try append(encodedLine: line, fields: RecordSummaryFields(record))
        }
    }

    /// Appends records encoded ahead, in order. It is durable only after `flush`.
    public func append(_ batch: EncodedRecordBatch) throws(SegmentStoreError) {
        try batch.forEachLine { (line, fields) throws(SegmentStoreError) in
            try append(encodedLine: line, fields: fields)
        }
    }

    /// Appends a validated line as it is (unknown fields included).
    public func append(_ line: RecordLine) throws(SegmentStoreError) {
        pendingLine.truncate(to: 0)
        line.bytes.withUnsafeBytes { pendingLine.append($0) }
        pendingLine.raw("\n")
        try pendingLine.withUnsafeBytes { encoded throws(SegmentStoreError) in
            try append(encodedLine: encoded, fields: RecordSummaryFields(line))
        }
    }

    private func append(encodedLine: UnsafeRawBufferPointer, fields: RecordSummaryFields) throws(SegmentStoreError) {
        let seq = fields.seq
        if let lastSeq, seq <= lastSeq {
            throw SegmentStoreError(.seqNotIncreasing, path: directory,
                "instance '\(instance)': seq \(seq) does not follow \(lastSeq) (seq must strictly increase)")
        }
        if hasAbandonedSegment {
            try recoverAbandonedSegment()
            if let lastSeq, seq <= lastSeq {
                throw SegmentStoreError(.seqNotIncreasing, path: directory,
                    "instance '\(instance)': seq \(seq) does not follow \(lastSeq), which recovery found on disk")
            }
        }
        if open == nil { open = try openSegment(firstSeq: seq) }
        try guarded { () throws(SegmentStoreError) in
            // `open!` mutates in place; copying the segment out would copy its buffer.
            try compress(encodedLine, .continue)
            open!.summary.add(fields, lineBytes: encodedLine.count - 1)
            open!.hasUnflushedRecords = true
            lastSeq = seq
            if open!.output.count >= options.writeBufferBytes { try writeOutput() }
            if open!.compressedBytes >= options.maximumSegmentBytes { try seal() }
        }
    }

    /// Makes every appended record durable to `level`. (Rotation by age is
    /// `sealIfDue`'s job, so a flush that succeeded is never reported failed
    /// because a rotation after it failed.)
    ///
    /// If writing fails, the open segment is cut back to the previous flush
    /// point and closed, and the records appended since then are forgotten (their
    /// `seq` values will be used again); the next append first recovers and
    /// seals the cut segment. So what a flush reported durable stays in the
    /// recording exactly once, and nothing that failed appears later.
    public func flush(_ level: FlushLevel) throws(SegmentStoreError) {
        guard open != nil else { return }
        try guarded { () throws(SegmentStoreError) in
            if open!.hasUnflushedRecords {
                try compress(UnsafeRawBufferPointer(start: nil, count: 0), .flush)
                try writeOutput()
                if level == .synced { try open!.file.sync() }
                open!.hasUnflushedRecords = false
                open!.flushedBytes = open!.writtenBytes
                flushedLastSeq = lastSeq
            }
        }
    }

    /// Seals the open segment if it has reached the size or age limit. Call it
    /// after a flush, or now and then when idle.
    public func sealIfDue() throws(SegmentStoreError) {
        guard let open else { return }
        if open.compressedBytes >= options.maximumSegmentBytes || now() - open.openedAt >= options.maximumSegmentAge {
            try seal()
        }
    }

    /// Finishes the frame, appends the trailer, syncs the file, renames to the sealed
    /// name and fsyncs the directory. A no-op when no segment is open.
    public func seal() throws(SegmentStoreError) {
        // A segment cut back after a failed write is still `.open` on disk: sealing means recovering it.
        if hasAbandonedSegment { try recoverAbandonedSegment(ignoringBackoff: true) }
        guard open != nil else { return }
        try guarded { () throws(SegmentStoreError) in try sealOpenSegment() }
    }

    /// Seals the segment a failed write cut back and closed, as a restart
    /// would; within `recoveryRetryInterval` of a failed attempt, fails at
    /// once unless `ignoringBackoff` (sealing is a last attempt).
    private func recoverAbandonedSegment(ignoringBackoff: Bool = false) throws(SegmentStoreError) {
        if !ignoringBackoff, let backoff = recoveryBackoff, ContinuousClock.now < backoff.until { throw backoff.failure }
        let reports: [RecoveryReport]
        do {
            reports = try SegmentRecovery.recoverOpenSegments(in: directory, instance: instance)
        } catch {
            recoveryBackoff = (error, ContinuousClock.now + Self.recoveryRetryInterval)
            throw error
        }
        recoveryBackoff = nil
        // Normally nothing above the last flush survives the cut; if the cut
        // itself failed, never hand out a seq that is on disk again.
        if let recovered = reports.compactMap(\.lastSeq).max(), recovered > lastSeq ?? .min {
            lastSeq = recovered
            flushedLastSeq = recovered
        }
        hasAbandonedSegment = false
    }

    private func sealOpenSegment() throws(SegmentStoreError) {
        try compress(UnsafeRawBufferPointer(start: nil, count: 0), .end)
        open!.output += SegmentTrailer.encode(open!.summary, instance: instance)
        try writeOutput()
        try open!.file.sync()
        let segment = open!
        try PosixDirectory.rename(segment.file.path, to: joinPath(directory, segment.name.sealed))
        // Renamed, the segment is sealed whatever happens next: never abandon it.
        open = nil
        segment.file.close()
        flushedLastSeq = lastSeq
        sealedSegments.append(segment.name.sealed)
        try PosixDirectory.sync(directory)
    }

    /// Runs a step that changes the open segment; if it fails, abandons the segment.
    private func guarded(_ step: () throws(SegmentStoreError) -> Void) throws(SegmentStoreError) {
        do {
            try step()
        } catch {
            abandonOpenSegment()
            throw error
        }
    }

    /// Cuts the open segment back to its last flush point (a complete zstd
    /// block boundary) and closes it, leaving it for recovery.
    private func abandonOpenSegment() {
        guard let segment = open else { return }
        // If this fails too, recovery keeps what is there and `append` moves
        // `lastSeq` past it, so a seq is still never used twice.
        _ = ftruncate(segment.file.descriptor, off_t(segment.flushedBytes))
        segment.file.close()
        open = nil
        lastSeq = flushedLastSeq
        hasAbandonedSegment = true
    }

    private func compress(_ input: UnsafeRawBufferPointer, _ directive: ZstdCompressor.Directive) throws(SegmentStoreError) {
        do {
            try compressor.compress(input, directive, into: &open!.output)
        } catch {
            throw SegmentStoreError(.compression, path: open!.file.path, error.description)
        }
    }

    private func openSegment(firstSeq: Int64) throws(SegmentStoreError) -> OpenSegment {
        let name = SegmentName(instance: instance, firstSeq: firstSeq)
        let sealedPath = joinPath(directory, name.sealed)
        if PosixDirectory.exists(sealedPath) {
            throw SegmentStoreError(.segmentExists, path: sealedPath, "a sealed segment with this first seq already exists")
        }
        let path = joinPath(directory, name.open)
        let file = try PosixFile.createExclusive(path)
        // The new directory entry must survive a crash as well as the data in it.
        do {
            try PosixDirectory.sync(directory)
        } catch {
            file.close()
            try? PosixDirectory.remove(path)  // or the next attempt would find it in the way
            throw error
        }
        compressor.reset()
        return OpenSegment(name: name, file: file, openedAt: now())
    }

    /// Writes the buffered compressed bytes (a failure abandons the segment: see `guarded`).
    private func writeOutput() throws(SegmentStoreError) {
        guard let count = open?.output.count, count > 0 else { return }
        try open!.file.write(open!.output)
        open!.writtenBytes += Int64(count)
        open!.output.removeAll(keepingCapacity: true)
    }
}
