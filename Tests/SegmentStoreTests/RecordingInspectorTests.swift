import EventModel
import Foundation
import SegmentStore
import Testing
import TestSupport

struct RecordingInspectorTests {
    @Test func summarisesFromTrailersAndFromDecoding() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var factory = RecordFactory(seed: 21)
        let records = (0..<120).map { index in factory.event(type: index % 3 == 0 ? .jobFaulted : .jobCompleted) }
        var options = SegmentWriter.Options()
        options.maximumSegmentBytes = 8 << 10
        _ = try writeSealed(records, to: directory.path, options: options)

        let fast = RecordingInspector.inspect(try Recording(path: directory.path), verify: false)
        let full = RecordingInspector.inspect(try Recording(path: directory.path), verify: true)
        for report in [fast, full] {
            #expect(report.total.records == 120)
            #expect(report.total.types == ["job.faulted": 40, "job.completed": 80])
            #expect(report.total.firstReceivedAt == records.first?.receivedAt)
            #expect(report.total.lastReceivedAt == records.last?.receivedAt)
            #expect(report.total.uncompressedBytes == Int64(ndjson(records).count))
            #expect(report.compressionRatio > 1)
            #expect(report.issues.isEmpty)
        }
        #expect(fast.segments.allSatisfy { $0.summarySource == .trailer })
        #expect(full.segments.allSatisfy { $0.summarySource == .decoded })
        #expect(full.verified)
    }

    @Test func verifyFindsDuplicateAndMissingSeq() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var factory = RecordFactory(seed: 22)
        var records = (0..<6).map { _ in factory.event() }
        records[2].seq = 2   // duplicate of the previous one
        records[3].seq = 3
        records[4].seq = 9   // skips 4...8
        records[5].seq = 10
        try ndjson(records).write(to: URL(fileURLWithPath: directory.file("r.ndjson")))
        #expect(try runTool(["zstd", "-q", directory.file("r.ndjson"), "-o", directory.file("r.ndjson.zst")]) == 0)
        try FileManager.default.removeItem(atPath: directory.file("r.ndjson"))

        let report = RecordingInspector.inspect(try Recording(path: directory.path), verify: true)
        #expect(report.issues.map(\.kind) == [.duplicateSeq, .missingSeq])
        #expect(report.issues.map(\.line) == [3, 5])
        #expect(report.issues[1].detail.contains("from 3 to 9 (5 missing)"))
    }

    @Test func verifyNoticesATrailerThatDisagreesWithItsSegment() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var factory = RecordFactory(seed: 23)
        let first = (0..<5).map { _ in factory.event() }
        _ = try writeSealed(first, to: directory.path)
        let sealed = directory.file("test-a-0000000000000001.ndjson.zst")
        // Prepend a foreign frame: the trailer no longer describes the content.
        let extra = directory.file("extra.ndjson")
        try ndjson([factory.event()]).write(to: URL(fileURLWithPath: extra))
        #expect(try runTool(["zstd", "-q", extra, "-o", extra + ".zst"]) == 0)
        let combined = try Data(contentsOf: URL(fileURLWithPath: extra + ".zst")) + Data(contentsOf: URL(fileURLWithPath: sealed))
        try combined.write(to: URL(fileURLWithPath: sealed))
        try FileManager.default.removeItem(atPath: extra)
        try FileManager.default.removeItem(atPath: extra + ".zst")

        let report = RecordingInspector.inspect(try Recording(path: directory.path), verify: true)
        #expect(report.issues.contains { $0.kind == .trailerMismatch })
    }

    @Test func openSegmentsAreCountedApartFromSealedOnes() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var factory = RecordFactory()
        let writer = try SegmentWriter(directory: directory.path, instance: "test-a")
        try writer.append(factory.event())
        try writer.flush(.written)
        let report = RecordingInspector.inspect(try Recording(path: directory.path), verify: true)
        #expect(report.openSegments == ["test-a-0000000000000001.ndjson.zst.open"])
        #expect(report.total.records == 0)
        #expect(report.openTotal.records == 1)
        #expect(report.issues.isEmpty, "the unfinished frame is not a problem: \(report.issues)")
    }

    @Test func importKeepsLinesByteForByteAndSplitsInstances() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var a = RecordFactory(seed: 1, instance: "inst-a")
        var b = RecordFactory(seed: 2, instance: "inst-b")
        let records = (0..<50).flatMap { _ in [a.random(), b.random()] }
        // An unknown field must survive the import untouched.
        var text = ndjson(records)
        let extra = Data(#"{"v":1,"seq":51,"instance":"inst-a","received_at":"2030-01-01T00:00:00Z","method":"POST","path":"/","query":"","headers":{},"body":"x","future_field":[1]}"#.utf8) + Data("\n".utf8)
        text += extra
        text += Data("garbage\n".utf8)
        let input = directory.file("in.ndjson")
        try text.write(to: URL(fileURLWithPath: input))
        let fd = open(input, O_RDONLY)
        defer { close(fd) }
        var issues: [ReadIssue] = []
        let result = try RecordingImporter.importRecords(from: fd, inputName: "in.ndjson", into: directory.file("rec"),
                                                         options: SegmentWriter.Options()) { issues.append($0) }
        #expect(result.records == 101)
        #expect(result.skippedLines == 1)
        #expect(issues.map(\.line) == [102])
        #expect(result.sealedSegments == ["inst-a-0000000000000001.ndjson.zst", "inst-b-0000000000000001.ndjson.zst"])
        var lines: [Data] = []
        let reader = RecordReader(try Recording(path: directory.file("rec"))) { _ in }
        for located in reader { lines.append(Data(located.record.bytes) + Data("\n".utf8)) }
        #expect(lines.count == 101)
        #expect(lines.contains(extra))
        #expect(try readAll(directory.file("rec")).records.filter { $0.seq <= 50 } == records.sorted { $0.receivedAt < $1.receivedAt })
    }
}
