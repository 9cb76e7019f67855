import EventModel
import Foundation
import SegmentStore
import Testing
import TestSupport

struct RecordReaderTests {
    @Test func acceptsSegmentsMadeByTheZstdCLI() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var factory = RecordFactory(seed: 8)
        let records = (0..<100).map { _ in factory.event() }
        let input = directory.file("in.ndjson")
        try ndjson(records).write(to: URL(fileURLWithPath: input))
        #expect(try runTool(["zstd", "-q", "-3", input, "-o", directory.file("exported.ndjson.zst")]) == 0)
        try FileManager.default.removeItem(atPath: input)

        let (read, issues) = try readAll(directory.path)
        #expect(issues.isEmpty)
        #expect(read == records)
        // A single file works as a recording too.
        #expect(try readAll(directory.file("exported.ndjson.zst")).records == records)
    }

    @Test func acceptsConcatenatedFramesSkippableFramesAndEmptySegments() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var factory = RecordFactory(seed: 9)
        let first = (0..<30).map { _ in factory.event() }
        let second = (0..<30).map { _ in factory.event() }
        for (name, records) in [("a", first), ("b", second)] {
            try ndjson(records).write(to: URL(fileURLWithPath: directory.file("\(name).ndjson")))
            #expect(try runTool(["zstd", "-q", directory.file("\(name).ndjson"), "-o", directory.file("\(name).zst")]) == 0)
        }
        // frame a + a skippable frame + frame b, then an empty file and a skippable-only file.
        let skippable = Data([0x5A, 0x2A, 0x4D, 0x18, 3, 0, 0, 0, 1, 2, 3])
        var joined = try Data(contentsOf: URL(fileURLWithPath: directory.file("a.zst")))
        joined += skippable
        joined += try Data(contentsOf: URL(fileURLWithPath: directory.file("b.zst")))
        try joined.write(to: URL(fileURLWithPath: directory.file("joined.ndjson.zst")))
        try Data().write(to: URL(fileURLWithPath: directory.file("empty.ndjson.zst")))
        try skippable.write(to: URL(fileURLWithPath: directory.file("only-skippable.ndjson.zst")))

        let (read, issues) = try readAll(directory.path)
        #expect(issues.isEmpty)
        #expect(read == first + second)
    }

    @Test func aCorruptByteIsReportedAndTheNextSegmentIsStillRead() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var factory = RecordFactory(seed: 10)
        let records = (0..<2000).map { _ in factory.random() }
        var options = SegmentWriter.Options()
        options.maximumSegmentBytes = 64 << 10
        let writer = try writeSealed(records, to: directory.path, options: options)
        #expect(writer.sealedSegments.count >= 3)

        let victim = directory.file(writer.sealedSegments[0])
        var bytes = try Data(contentsOf: URL(fileURLWithPath: victim))
        bytes[bytes.count / 2] ^= 0x5A
        try bytes.write(to: URL(fileURLWithPath: victim))

        let (read, issues) = try readAll(directory.path)
        let problems = issues.filter { $0.segment == writer.sealedSegments[0] }
        #expect(!problems.isEmpty)
        #expect(problems.allSatisfy { [.corruptFrame, .malformedLine, .truncated].contains($0.kind) && $0.line != nil })
        #expect(issues.allSatisfy { $0.segment == writer.sealedSegments[0] })
        // Every record of the intact segments is read; corrupt data is never passed off as a record.
        let intact = Set(records.map(\.seq))
        #expect(read.allSatisfy { intact.contains($0.seq) && records[Int($0.seq) - 1] == $0 })
        let laterSegmentsFirstSeq = try #require(Recording(path: directory.path).segments[1].parsedName?.firstSeq)
        #expect(read.filter { $0.seq >= laterSegmentsFirstSeq }.count == records.count - Int(laterSegmentsFirstSeq) + 1)
    }

    @Test func aTornTailKeepsTheRecordsBeforeIt() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var factory = RecordFactory(seed: 12)
        let records = (0..<300).map { _ in factory.event() }
        let input = directory.file("in.ndjson")
        try ndjson(records).write(to: URL(fileURLWithPath: input))
        // Small blocks, so a cut in the middle leaves whole blocks before it.
        #expect(try runTool(["zstd", "-q", "--block-size=4096", input, "-o", directory.file("torn.ndjson.zst")]) == 0)
        try FileManager.default.removeItem(atPath: input)
        let path = directory.file("torn.ndjson.zst")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count * 2 / 3).write(to: URL(fileURLWithPath: path))

        let (read, issues) = try readAll(directory.path)
        #expect(issues.contains { $0.kind == .truncated })
        #expect(read.count > 100)
        #expect(read == Array(records.prefix(read.count)))
    }

    @Test func malformedLinesAreReportedWithSegmentAndLineAndSkipped() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var factory = RecordFactory(seed: 13)
        let records = (0..<3).map { _ in factory.event() }
        var text = ndjson([records[0]])
        text += Data("this is not json\n".utf8)
        text += ndjson([records[1]])
        text += Data("{\"v\":1}\n\n".utf8)
        text += ndjson([records[2]])
        try text.write(to: URL(fileURLWithPath: directory.file("mixed.ndjson")))
        #expect(try runTool(["zstd", "-q", directory.file("mixed.ndjson"), "-o", directory.file("mixed.ndjson.zst")]) == 0)
        try FileManager.default.removeItem(atPath: directory.file("mixed.ndjson"))

        let (read, issues) = try readAll(directory.path)
        #expect(read == records)
        #expect(issues.map(\.kind) == [.malformedLine, .malformedLine])
        #expect(issues.map(\.line) == [2, 4])
        #expect(issues.allSatisfy { $0.segment == "mixed.ndjson.zst" })
        #expect(issues[1].detail.contains("missing required field 'seq'"))
    }

    @Test func instancesAreMergedByReceivedAt() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var generator = SeededGenerator(seed: 14)
        var expected: [RecordedRequest] = []
        for instance in ["rec-a", "rec-b", "rec-c"] {
            var factory = RecordFactory(seed: generator.next(), instance: instance)
            var records: [RecordedRequest] = []
            for _ in 0..<200 {
                records.append(factory.event(gapMicroseconds: Int64.random(in: 1...5000, using: &generator)))
            }
            var options = SegmentWriter.Options()
            options.maximumSegmentBytes = 8 << 10
            _ = try writeSealed(records, to: directory.path, instance: instance, options: options)
            expected += records
        }
        let (read, issues) = try readAll(directory.path)
        #expect(issues.isEmpty)
        #expect(read.count == expected.count)
        #expect(read.map(\.receivedAt) == read.map(\.receivedAt).sorted())
        for instance in ["rec-a", "rec-b", "rec-c"] {
            #expect(read.filter { $0.instance == instance } == expected.filter { $0.instance == instance })
        }
    }

    @Test func aMissingRecordingIsANamedError() {
        #expect {
            try Recording(path: "/nonexistent/recording")
        } throws: { error in
            let error = error as? SegmentStoreError
            return error?.code == .notFound && error?.description.contains("/nonexistent/recording") == true
        }
    }
}

/// Reading works in blocks of up to a few MiB split across two threads; lines
/// that straddle blocks, or are longer than a block, must come through whole.
struct BlockBoundaryTests {
    @Test func manyBlocksOfRecordsReadBackInOrder() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var factory = RecordFactory(seed: 40)
        let records = (0..<20_000).map { _ in factory.event() }
        _ = try writeSealed(records, to: directory.path)
        let (read, issues) = try readAll(directory.path)
        #expect(issues.isEmpty)
        #expect(read.count == records.count)
        #expect(read == records)
    }

    @Test func aLineLongerThanABlockIsReadWhole() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var factory = RecordFactory(seed: 41)
        var generator = SeededGenerator(seed: 41)
        let hugeBody = (0..<(6 << 20)).map { _ in UInt8.random(in: 0x61...0x7A, using: &generator) }
        let records = [factory.event(), factory.record(body: hugeBody, type: "job.created", eventId: "big", gapMicroseconds: 1), factory.event()]
        _ = try writeSealed(records, to: directory.path)
        #expect(try readAll(directory.path).records == records)

        // The same through plain NDJSON, which is read in 1 MiB blocks.
        let input = directory.file("big.ndjson")
        try ndjson(records).write(to: URL(fileURLWithPath: input))
        let fd = open(input, O_RDONLY)
        defer { close(fd) }
        let result = try RecordingImporter.importRecords(from: fd, inputName: "big.ndjson", into: directory.file("packed"),
                                                         options: SegmentWriter.Options()) { Issue.record("\($0)") }
        #expect(result.records == 3)
        #expect(try readAll(directory.file("packed")).records == records)
    }
}
