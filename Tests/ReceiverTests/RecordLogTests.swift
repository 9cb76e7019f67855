import EventModel
import Foundation
import Receiver
import SegmentStore
import Synchronization
import Testing
import TestSupport

/// The log needs an observer; these tests look at the recording instead.
private final class SilentObserver: RecordLogObserver {
    func recordLog(wrote records: Int, bytes: Int) {}
    func recordLog(synced duration: Duration) {}
    func recordLog(sealed segment: String) {}
    func recordLog(openSegmentBytes: Int64) {}
    func recordLog(failed error: SegmentStoreError) {}
}

struct RecordLogTests {
    /// The durability promise under a full disk, with segments rotating every
    /// few records: what was acknowledged is kept exactly once, and what was
    /// refused is not kept (a refused request gets retried, so keeping it would
    /// duplicate it). Whether a rotation falls inside a batch that then fails
    /// depends on thread timing, so this checks the invariant rather than
    /// forcing that case.
    @Test(.enabled(if: SmallFilesystem.isAvailable, "needs root to mount a small tmpfs"))
    func keepsExactlyWhatItAcknowledgedWhenTheDiskFills() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let filesystem = try #require(SmallFilesystem(in: directory, kilobytes: 320))
        defer { filesystem.unmount() }
        let filler = filesystem.path + "/filler"
        try Data(count: 200 << 10).write(to: URL(fileURLWithPath: filler))

        var options = SegmentWriter.Options()
        options.maximumSegmentBytes = 5 << 10  // a seal every few records
        let log = try RecordLog(directory: filesystem.path + "/rec", instance: "log-test", durability: .fsync,
                                options: options, observer: SilentObserver())
        var generator = SeededGenerator(seed: 70)
        var factory = RecordFactory(seed: 70, instance: "log-test")
        let outcomes = Mutex<[String: Bool]>([:])
        var failures = 0
        for batchNumber in 0..<200 where failures < 3 {
            let group = DispatchGroup()
            var ids: [String] = []
            for index in 0..<6 {
                let id = "\(batchNumber)-\(index)"
                ids.append(id)
                // Incompressible bodies, so the disk fills and segments rotate quickly.
                var record = factory.record(body: (0..<1500).map { _ in UInt8.random(in: 0x61...0x7A, using: &generator) },
                                            type: "job.completed", eventId: id, gapMicroseconds: 10)
                record.status = 202
                group.enter()
                log.append(record) { result in
                    outcomes.withLock { $0[id] = (try? result.get()) != nil }
                    group.leave()
                }
            }
            group.wait()
            let results = outcomes.withLock { all in ids.map { all[$0]! } }
            if results.contains(false) { failures += 1 }
        }
        #expect(failures > 0, "the disk filled up")
        try FileManager.default.removeItem(atPath: filler)
        var late = factory.event()
        late.eventId = "late"
        let lateRecord = try awaitAppend(log, late)
        #expect(lateRecord.eventId == "late")
        log.close()

        let acknowledged = Set(outcomes.withLock { $0.filter(\.value).keys } + ["late"])
        var issues: [ReadIssue] = []
        let recorded = RecordReader(try Recording(path: filesystem.path + "/rec")) { issues.append($0) }.map { $0.record }
        let recordedIds = try recorded.map { try #require($0.decode().eventId) }
        #expect(issues.isEmpty)
        #expect(recordedIds.count == Set(recordedIds).count, "no record twice")
        #expect(Set(recordedIds) == acknowledged, "kept exactly what was acknowledged")
        let report = RecordingInspector.inspect(try Recording(path: filesystem.path + "/rec"), verify: true)
        #expect(report.issues.isEmpty, "\(report.issues)")
    }

    private func awaitAppend(_ log: RecordLog, _ record: RecordedRequest) throws -> RecordedRequest {
        let result = Mutex<Result<RecordedRequest, SegmentStoreError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        log.append(record) { outcome in
            result.withLock { $0 = outcome }
            done.signal()
        }
        done.wait()
        return try result.withLock { $0! }.get()
    }
}
