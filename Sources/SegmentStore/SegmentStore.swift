// SegmentStore: recordings on disk (docs/recording-format.md).
//
// Layout. A recording is a directory of segments. A sealed segment,
// `<instance>-<first seq, 16 digits>.ndjson.zst`, is one zstd frame of NDJSON
// records followed by a skippable frame holding a JSON summary (the trailer).
// The segment a writer appends to carries the `.open` suffix, so tools that glob
// sealed segments never see half-written data.
//
// Invariants. Within one writer instance, segment names sort in record order
// and `seq` strictly increases. A sealed segment is complete: its frame is
// finished, its trailer written, its bytes synced (fdatasync) before the rename, and the
// directory fsync'd after it.
//
// Crashes. An open segment left by a crash holds every record that was flushed
// before it; the tail may be a torn zstd block or a partial line. Recovery
// decodes what it can, keeps every complete record, and seals them under the
// segment's sealed name (via a `.recovering` temporary that is renamed), then
// removes the open file. Re-running recovery after a crash inside recovery is
// safe: a sealed file with the same name means the rename happened.
//
// Readers of open segments (RecordingFollower, GrowingSegmentReader) open
// files read-only and decode an open segment up to its last complete record:
// the file is a prefix of one zstd frame flushed at record boundaries, so its
// unfinished end is expected, not damage. Following, they keep each decoder
// and file offset and read on as the file grows; the writer renames a segment
// only once it is complete, so after the rename its file is read to the end once.
//
// This module knows lines and records (EventModel's `RecordLine`), never event
// payloads.

/// Every name the store puts on disk.
public enum SegmentFileName {
    /// Suffix of a sealed segment; `zstdcat *.ndjson.zst` reads exactly these.
    public static let sealedSuffix = ".ndjson.zst"
    /// Suffix appended to the sealed name while a writer appends to the segment.
    public static let openSuffix = ".open"
    /// Suffix of the temporary a recovery writes before renaming it to the sealed name.
    public static let recoveringSuffix = ".recovering"
    /// Suffix under which recovery keeps an open segment that had undecodable bytes.
    public static let damagedSuffix = ".damaged"
    /// Digits of the zero-padded first `seq` in a segment name.
    public static let seqDigits = 16
    /// Characters allowed in an instance id (it becomes part of file names).
    public static let instanceCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
    /// Longest instance id accepted.
    public static let maximumInstanceLength = 64
}

/// A segment's name, parsed: `<instance>-<first seq>.ndjson.zst[.open]`.
public struct SegmentName: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let instance: String
    public let firstSeq: Int64

    public init(instance: String, firstSeq: Int64) {
        self.instance = instance
        self.firstSeq = firstSeq
    }

    /// The sealed file name.
    public var sealed: String {
        let digits = String(firstSeq)
        let padding = String(repeating: "0", count: max(0, SegmentFileName.seqDigits - digits.count))
        return "\(instance)-\(padding)\(digits)\(SegmentFileName.sealedSuffix)"
    }

    public var open: String { sealed + SegmentFileName.openSuffix }
    public var description: String { sealed }

    /// Parses a sealed or open segment file name; nil for names the store did not make.
    public init?(fileName: String) {
        var stem = Substring(fileName)
        if stem.hasSuffix(SegmentFileName.openSuffix) { stem = stem.dropLast(SegmentFileName.openSuffix.count) }
        guard stem.hasSuffix(SegmentFileName.sealedSuffix) else { return nil }
        stem = stem.dropLast(SegmentFileName.sealedSuffix.count)
        guard let dash = stem.lastIndex(of: "-") else { return nil }
        let digits = stem[stem.index(after: dash)...]
        let instance = String(stem[..<dash])
        guard digits.count == SegmentFileName.seqDigits, let seq = Int64(digits),
              Self.isValidInstance(instance) else { return nil }
        self.init(instance: instance, firstSeq: seq)
    }

    public static func isValidInstance(_ instance: String) -> Bool {
        !instance.isEmpty && instance.count <= SegmentFileName.maximumInstanceLength
            && instance.allSatisfy { SegmentFileName.instanceCharacters.contains($0) }
    }

    public static func < (lhs: SegmentName, rhs: SegmentName) -> Bool {
        (lhs.instance, lhs.firstSeq) < (rhs.instance, rhs.firstSeq)
    }
}
