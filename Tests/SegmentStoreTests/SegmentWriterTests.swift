import EventModel
import Foundation
import SegmentStore
import Testing
import TestSupport

struct SegmentWriterTests {
    @Test func roundTripsRandomRecordsThroughOneSealedSegment() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var factory = RecordFactory(seed: 5)
        let records = (0..<500).map { _ in factory.random() }
        let writer = try writeSealed(records, to: directory.path)

        #expect(writer.sealedSegments == ["test-a-0000000000000001.ndjson.zst"])
        #expect(try directory.entries() == ["test-a-0000000000000001.ndjson.zst"])
        let (read, issues) = try readAll(directory.path)
        #expect(issues.isEmpty)
        #expect(read == records)
    }

    /// Batches encoded ahead (as storms do on another thread) land exactly
    /// like records appended one by one, across rotations, with the same
    /// trailers; and a batch emptied for reuse starts afresh.
    @Test func encodedBatchesWriteWhatSingleAppendsWrite() throws {
        let batched = try TemporaryDirectory()
        let single = try TemporaryDirectory()
        defer { batched.remove(); single.remove() }
        var options = SegmentWriter.Options()
        options.maximumSegmentBytes = 8192
        var factory = RecordFactory(seed: 11)
        let records = (0..<300).map { _ in factory.random() }

        let writer = try SegmentWriter(directory: batched.path, instance: "test-a", options: options)
        let batch = EncodedRecordBatch()
        for chunk in stride(from: 0, to: records.count, by: 64) {
            batch.removeAll()
            for record in records[chunk..<min(chunk + 64, records.count)] { batch.append(record) }
            try writer.append(batch)
        }
        try writer.seal()
        let reference = try SegmentWriter(directory: single.path, instance: "test-a", options: options)
        for record in records { try reference.append(record) }
        try reference.seal()

        #expect(try readAll(batched.path).records == records)
        #expect(writer.sealedSegments == reference.sealedSegments)
        for name in try batched.entries() {
            #expect(try Data(contentsOf: URL(fileURLWithPath: batched.file(name)))
                        == Data(contentsOf: URL(fileURLWithPath: single.file(name))), "\(name)")
        }
    }

    @Test func theOpenSegmentIsInvisibleUntilSealed() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var factory = RecordFactory()
        let writer = try SegmentWriter(directory: directory.path, instance: "test-a")
        try writer.append(factory.event())
        try writer.flush(.synced)
        #expect(try directory.entries() == ["test-a-0000000000000001.ndjson.zst.open"])
        #expect(try readAll(directory.path).records.isEmpty)
        try writer.seal()
        #expect(try directory.entries() == ["test-a-0000000000000001.ndjson.zst"])
        #expect(try readAll(directory.path).records.count == 1)
    }

    @Test func rotatesBySizeIntoSegmentsThatSortInRecordOrder() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var options = SegmentWriter.Options()
        options.maximumSegmentBytes = 4096
        var factory = RecordFactory(seed: 3)
        let records = (0..<400).map { _ in factory.random() }
        let writer = try writeSealed(records, to: directory.path, options: options)

        let names = try directory.entries()
        #expect(names.count > 3)
        #expect(names == writer.sealedSegments)
        #expect(names == names.sorted())
        for name in names {
            let size = try #require(try FileManager.default.attributesOfItem(atPath: directory.file(name))[.size] as? Int)
            // A segment is sealed at the first flush past the limit: one record over at most.
            #expect(size < 4096 + 2048, "\(name) is \(size) bytes")
        }
        let (read, issues) = try readAll(directory.path)
        #expect(issues.isEmpty)
        #expect(read == records)
        // Each name carries the first seq of its segment.
        let recording = try Recording(path: directory.path)
        for segment in recording.segments {
            let summary = try #require(try segment.trailer())
            #expect(segment.parsedName?.firstSeq == summary.firstSeq)
        }
    }

    @Test func rotatesByAgeWhenAskedAfterAFlush() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let clock = ManualInstant()
        var options = SegmentWriter.Options()
        options.maximumSegmentAge = .seconds(60)
        let writer = try SegmentWriter(directory: directory.path, instance: "test-a", options: options, now: clock.now)
        var factory = RecordFactory()
        try writer.append(factory.event())
        try writer.flush(.written)
        clock.advance(.seconds(59))
        try writer.append(factory.event())
        try writer.flush(.written)
        try writer.sealIfDue()
        #expect(writer.sealedSegments.isEmpty)
        clock.advance(.seconds(1))
        try writer.append(factory.event())
        try writer.flush(.written)
        #expect(writer.sealedSegments.isEmpty, "a flush does not rotate")
        try writer.sealIfDue()
        #expect(writer.sealedSegments == ["test-a-0000000000000001.ndjson.zst"])
        try writer.append(factory.event())
        clock.advance(.seconds(61))
        try writer.sealIfDue()
        #expect(writer.sealedSegments.last == "test-a-0000000000000004.ndjson.zst")
        #expect(try readAll(directory.path).records.map(\.seq) == [1, 2, 3, 4])
    }

    @Test func theTrailerSummarisesTheSegment() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var factory = RecordFactory()
        let records = [factory.event(type: .jobStarted), factory.event(type: .jobCompleted), factory.event(type: .jobStarted),
                       factory.record(body: [1, 2], type: nil, eventId: nil, gapMicroseconds: 5)]
        _ = try writeSealed(records, to: directory.path)
        let segment = try #require(try Recording(path: directory.path).segments.first)
        let summary = try #require(try segment.trailer())
        #expect(summary.records == 4)
        #expect(summary.firstSeq == 1)
        #expect(summary.lastSeq == 4)
        #expect(summary.firstReceivedAt == records.first?.receivedAt)
        #expect(summary.lastReceivedAt == records.last?.receivedAt)
        #expect(summary.types == ["job.started": 2, "job.completed": 1])
        #expect(summary.uncompressedBytes == Int64(records.map { $0.line.count }.reduce(0, +)))
    }

    @Test func seqMustStrictlyIncrease() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var factory = RecordFactory()
        let writer = try SegmentWriter(directory: directory.path, instance: "test-a", lastSeq: 10)
        var record = factory.event()
        #expect { try writer.append(record) } throws: { ($0 as? SegmentStoreError)?.code == .seqNotIncreasing }
        record.seq = 11
        try writer.append(record)
        #expect { try writer.append(record) } throws: { ($0 as? SegmentStoreError)?.code == .seqNotIncreasing }
    }

    @Test(arguments: ["", "has space", "a/b", String(repeating: "x", count: 65)])
    func instanceIdsMustBeFileNameSafe(instance: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect { try SegmentWriter(directory: directory.path, instance: instance) } throws: {
            ($0 as? SegmentStoreError)?.code == .invalidInstance
        }
    }

    @Test func sealedSegmentsAreReadableByZstdAndJq() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var factory = RecordFactory(seed: 11)
        let records = (0..<50).map { _ in factory.event() }
        _ = try writeSealed(records, to: directory.path)
        let segment = try #require(try Recording(path: directory.path).segments.first)
        let output = directory.file("out.ndjson")
        #expect(try runTool(["zstd", "-dcq", segment.path], stdout: output) == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: output)) == ndjson(records), "zstd skips the trailer frame")
        #expect(try runTool(["zstd", "-tq", segment.path]) == 0)
    }
}

/// A monotonic clock that moves only when told, for age-based rotation.
final class ManualInstant: @unchecked Sendable {
    private var current = ContinuousClock.now
    func now() -> ContinuousClock.Instant { current }
    func advance(_ duration: Duration) { current = current.advanced(by: duration) }
}
