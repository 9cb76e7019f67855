import EventModel

/// What recovering one open segment did.
public struct RecoveryReport: Sendable, Equatable, CustomStringConvertible {
    /// The open segment's file name.
    public var openSegment: String
    /// The sealed name the records now live under (nil when nothing was kept).
    public var sealedSegment: String?
    public var recoveredRecords: Int
    /// Decompressed bytes thrown away: a torn last line, or lines that were not records.
    public var droppedBytes: Int64
    /// The highest `seq` kept, so a writer can continue above it.
    public var lastSeq: Int64?
    /// What was wrong with the open segment (torn frame, malformed lines).
    public var issues: [ReadIssue]
    /// When bytes before the tail did not decode: where the original was kept.
    public var damagedOriginal: String?

    public var description: String {
        let target = sealedSegment.map { "sealed as \($0)" } ?? "removed (no complete records)"
        return "recovered \(openSegment): \(recoveredRecords) records kept, \(droppedBytes) bytes dropped, \(target)"
    }
}

/// Turns open segments left by a crash into sealed ones (see the design notes
/// in SegmentStore.swift for the crash-safety argument).
public enum SegmentRecovery {
    /// Recovers every open segment in `directory` (of `instance` only, if given),
    /// and removes temporaries an interrupted recovery left behind.
    public static func recoverOpenSegments(
        in directory: String, instance: String? = nil, compressionLevel: Int32 = 3
    ) throws(SegmentStoreError) -> [RecoveryReport] {
        var openSegments: [SegmentName] = []
        for entry in try PosixDirectory.entries(directory).sorted() {
            let name = SegmentName(fileName: stripSuffix(entry, SegmentFileName.recoveringSuffix) ?? entry)
            guard let name, instance == nil || name.instance == instance else { continue }
            if entry.hasSuffix(SegmentFileName.recoveringSuffix) {
                try PosixDirectory.remove(joinPath(directory, entry))
            } else if entry == name.open {
                openSegments.append(name)
            }
        }
        var reports: [RecoveryReport] = []
        for name in openSegments {
            reports.append(try recover(name, in: directory, compressionLevel: compressionLevel))
        }
        return reports
    }

    private static func recover(_ name: SegmentName, in directory: String, compressionLevel: Int32) throws(SegmentStoreError) -> RecoveryReport {
        let openPath = joinPath(directory, name.open)
        let sealedPath = joinPath(directory, name.sealed)
        var report = RecoveryReport(openSegment: name.open, sealedSegment: nil, recoveredRecords: 0,
                                    droppedBytes: 0, lastSeq: nil, issues: [], damagedOriginal: nil)
        if PosixDirectory.exists(sealedPath) {
            // A previous recovery renamed its result into place, then stopped.
            let summary = try SegmentFile(name: name.sealed, path: sealedPath).trailer()
            try PosixDirectory.remove(openPath)
            try PosixDirectory.sync(directory)
            report.sealedSegment = name.sealed
            report.recoveredRecords = summary?.records ?? 0
            report.lastSeq = summary?.lastSeq
            return report
        }

        var kept: [UInt8] = []
        var summary = SegmentSummary()
        var issues: [ReadIssue] = []
        let reader = SegmentRecordReader(path: openPath, segment: name.open) { issues.append($0) }
        while let line = reader.next() {
            guard case .success(let record) = line.record else {
                report.droppedBytes += Int64(line.bytes.count)
                issues.append(ReadIssue(.malformedLine, segment: name.open, line: line.number, "not a complete record; dropped"))
                continue
            }
            kept += line.bytes
            kept.append(UInt8(ascii: "\n"))
            summary.add(record)
        }
        report.issues = issues
        if let unreadable = issues.first(where: { $0.kind == .unreadable }) {
            // Never delete what could not be read: it may hold acknowledged records.
            throw SegmentStoreError(.cannotRead, path: openPath, "cannot recover (left in place): \(unreadable.detail)")
        }
        // Damage before the tail (not just a torn end) means some bytes could not be
        // decoded: the original is kept beside the sealed result for inspection.
        let isDamaged = issues.contains { $0.kind == .corruptFrame }

        if summary.records > 0 {
            var segment: [UInt8] = []
            do {
                let compressor = try ZstdCompressor(level: compressionLevel)
                try compressor.compress(kept, .end, into: &segment)
            } catch {
                throw SegmentStoreError(.compression, path: openPath, error.description)
            }
            segment += SegmentTrailer.encode(summary, instance: name.instance)
            let temporaryPath = sealedPath + SegmentFileName.recoveringSuffix
            do {
                let temporary = try PosixFile.createExclusive(temporaryPath)
                try temporary.write(segment)
                try temporary.sync()
                temporary.close()
                try PosixDirectory.rename(temporaryPath, to: sealedPath)
            } catch {
                // Leave no half-written temporary (a later run would remove it anyway).
                try? PosixDirectory.remove(temporaryPath)
                throw error
            }
            try PosixDirectory.sync(directory)
            report.sealedSegment = name.sealed
        }
        if isDamaged {
            let keptAs = sealedPath + SegmentFileName.damagedSuffix
            try PosixDirectory.rename(openPath, to: keptAs)
            report.damagedOriginal = name.sealed + SegmentFileName.damagedSuffix
        } else {
            try PosixDirectory.remove(openPath)
        }
        try PosixDirectory.sync(directory)
        report.recoveredRecords = summary.records
        report.lastSeq = summary.lastSeq
        return report
    }

    private static func stripSuffix(_ name: String, _ suffix: String) -> String? {
        name.hasSuffix(suffix) ? String(name.dropLast(suffix.count)) : nil
    }
}
