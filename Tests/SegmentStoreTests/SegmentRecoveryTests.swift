import EventModel
import Foundation
import SegmentStore
import Testing
import TestSupport

struct SegmentRecoveryTests {
    /// Writes and flushes `count` records, then abandons the writer as a crash would.
    private func crashedWriter(in directory: TemporaryDirectory, count: Int, seed: UInt64 = 1) throws -> [RecordedRequest] {
        var factory = RecordFactory(seed: seed)
        let records = (0..<count).map { _ in factory.event() }
        let writer = try SegmentWriter(directory: directory.path, instance: "test-a")
        for record in records {
            try writer.append(record)
            try writer.flush(.written)
        }
        return records
    }

    @Test func aTornOpenSegmentIsSealedKeepingEveryCompleteRecord() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let records = try crashedWriter(in: directory, count: 40)
        let openPath = directory.file("test-a-0000000000000001.ndjson.zst.open")
        // A torn tail: half of a further block, as a crash in the middle of write(2) leaves it.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: openPath))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([0x8D, 0x02, 0x00, 0x41, 0x42]))
        try handle.close()

        let reports = try SegmentRecovery.recoverOpenSegments(in: directory.path)
        #expect(reports.count == 1)
        let report = try #require(reports.first)
        #expect(report.recoveredRecords == 40)
        #expect(report.lastSeq == 40)
        #expect(report.sealedSegment == "test-a-0000000000000001.ndjson.zst")
        #expect(report.issues.contains { $0.kind == .truncated || $0.kind == .corruptFrame })
        #expect(try directory.entries() == ["test-a-0000000000000001.ndjson.zst"])

        let (read, issues) = try readAll(directory.path)
        #expect(issues.isEmpty)
        #expect(read == records)
        let summary = try #require(try Recording(path: directory.path).segments.first?.trailer())
        #expect(summary.records == 40)
    }

    @Test func aPartialLineAtTheEndIsDroppedAndCounted() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var factory = RecordFactory(seed: 2)
        let records = (0..<5).map { _ in factory.event() }
        // An open segment whose last line was cut short, compressed whole (the
        // decompressed stream ends mid-line, as after a crash between blocks).
        var text = ndjson(records)
        let partial = Data(records[4].line.prefix(100))
        text = text.prefix(text.count - records[4].line.count) + partial
        let input = directory.file("x.ndjson")
        try text.write(to: URL(fileURLWithPath: input))
        #expect(try runTool(["zstd", "-q", input, "-o", directory.file("test-a-0000000000000001.ndjson.zst.open")]) == 0)
        try FileManager.default.removeItem(atPath: input)

        let report = try #require(try SegmentRecovery.recoverOpenSegments(in: directory.path).first)
        #expect(report.recoveredRecords == 4)
        #expect(report.droppedBytes == 100)
        #expect(report.lastSeq == 4)
        #expect(try readAll(directory.path).records == Array(records.prefix(4)))
    }

    @Test func anOpenSegmentWithNoCompleteRecordIsRemoved() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try Data([0x28, 0xB5, 0x2F]).write(to: URL(fileURLWithPath: directory.file("test-a-0000000000000001.ndjson.zst.open")))
        let report = try #require(try SegmentRecovery.recoverOpenSegments(in: directory.path).first)
        #expect(report.recoveredRecords == 0)
        #expect(report.sealedSegment == nil)
        #expect(try directory.entries().isEmpty)
    }

    @Test func recoveryIsIdempotentAndCleansUpAfterAnInterruptedRun() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let records = try crashedWriter(in: directory, count: 10)
        let openPath = directory.file("test-a-0000000000000001.ndjson.zst.open")
        let openBytes = try Data(contentsOf: URL(fileURLWithPath: openPath))
        _ = try SegmentRecovery.recoverOpenSegments(in: directory.path)

        // Simulate a crash after the rename but before the open file was removed,
        // plus a stray temporary from another interrupted recovery.
        try openBytes.write(to: URL(fileURLWithPath: openPath))
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: directory.file("test-a-0000000000000050.ndjson.zst.recovering")))
        let reports = try SegmentRecovery.recoverOpenSegments(in: directory.path)
        #expect(reports.map(\.recoveredRecords) == [10])
        #expect(reports.first?.lastSeq == 10)
        #expect(try directory.entries() == ["test-a-0000000000000001.ndjson.zst"])
        #expect(try readAll(directory.path).records == records)
        #expect(try SegmentRecovery.recoverOpenSegments(in: directory.path).isEmpty)
    }

    @Test func writingContinuesAfterRecoveryWithTheNextSeq() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let before = try crashedWriter(in: directory, count: 7)
        let lastSeq = try SegmentRecovery.recoverOpenSegments(in: directory.path).compactMap(\.lastSeq).max()
        #expect(lastSeq == 7)
        var factory = RecordFactory(seed: 3, firstSeq: 8, start: before.last!.receivedAt)
        let after = (0..<5).map { _ in factory.event() }
        let writer = try SegmentWriter(directory: directory.path, instance: "test-a", lastSeq: lastSeq)
        for record in after { try writer.append(record) }
        try writer.seal()
        #expect(try readAll(directory.path).records == before + after)
        let report = RecordingInspector.inspect(try Recording(path: directory.path), verify: true)
        #expect(report.issues.isEmpty)
    }

    @Test func anOpenSegmentDamagedBeforeItsTailIsKeptBesideWhatWasSaved() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let records = try crashedWriter(in: directory, count: 300)
        let openPath = directory.file("test-a-0000000000000001.ndjson.zst.open")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: openPath))
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: openPath))

        let report = try #require(try SegmentRecovery.recoverOpenSegments(in: directory.path).first)
        #expect(report.damagedOriginal == "test-a-0000000000000001.ndjson.zst.damaged")
        #expect(report.recoveredRecords > 0 && report.recoveredRecords < 300, "\(report)  \(report.issues)")
        #expect(try directory.entries() == ["test-a-0000000000000001.ndjson.zst", "test-a-0000000000000001.ndjson.zst.damaged"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory.file("test-a-0000000000000001.ndjson.zst.damaged"))) == bytes)
        let read = try readAll(directory.path).records
        #expect(read == Array(records.prefix(read.count)))
    }
}
