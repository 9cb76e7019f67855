import EventModel
import Foundation
import SegmentStore
import Testing
import TestSupport

struct WriteFailureTests {
    @Test(.enabled(if: SmallFilesystem.isAvailable, "needs root to mount a small tmpfs"))
    func aFullDiskLosesNothingAcknowledgedAndDuplicatesNothing() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let filesystem = try #require(SmallFilesystem(in: directory, kilobytes: 256))
        defer { filesystem.unmount() }
        let recording = filesystem.path + "/rec"
        let filler = filesystem.path + "/filler"
        try Data(count: 160 << 10).write(to: URL(fileURLWithPath: filler))

        var generator = SeededGenerator(seed: 50)
        var factory = RecordFactory(seed: 50)
        func randomRecord(seq: Int64) -> RecordedRequest {
            // Incompressible bodies fill the disk quickly.
            var record = factory.record(body: (0..<2000).map { _ in UInt8.random(in: 0x61...0x7A, using: &generator) },
                                        type: "job.completed", eventId: nil, gapMicroseconds: 1000)
            record.seq = seq
            return record
        }

        let writer = try SegmentWriter(directory: recording, instance: "test-a")
        var acknowledged: [RecordedRequest] = []
        var failures = 0
        var attempts = 0
        while failures == 0, attempts < 1000 {
            attempts += 1
            let batch = (1...3).map { randomRecord(seq: (writer.lastSeq ?? 0) + Int64($0)) }
            do {
                for record in batch { try writer.append(record) }
                try writer.flush(.synced)
                acknowledged += batch
            } catch {
                failures += 1
                #expect(error.errno == ENOSPC, "\(error)")
                // The failed batch is forgotten: its seq values come again.
                #expect(writer.lastSeq == acknowledged.last?.seq)
            }
        }
        #expect(failures == 1)
        #expect(acknowledged.count > 3)

        // Appends fail while the disk is full (at once, until the retry
        // interval has passed), and succeed once there is room.
        #expect(throws: SegmentStoreError.self) { try writer.append(randomRecord(seq: (writer.lastSeq ?? 0) + 1)) }
        try FileManager.default.removeItem(atPath: filler)
        #expect(throws: SegmentStoreError.self) { try writer.append(randomRecord(seq: (writer.lastSeq ?? 0) + 1)) }
        Thread.sleep(forTimeInterval: Double(SegmentWriter.recoveryRetryInterval.components.seconds) + 0.1)
        let later = (1...5).map { randomRecord(seq: acknowledged.last!.seq + Int64($0)) }
        for record in later { try writer.append(record) }
        try writer.seal()

        let (read, issues) = try readAll(recording)
        #expect(issues.isEmpty)
        #expect(read == acknowledged + later)
        let report = RecordingInspector.inspect(try Recording(path: recording), verify: true)
        #expect(report.issues.isEmpty, "\(report.issues)")
        #expect(report.openSegments.isEmpty)
    }
}
