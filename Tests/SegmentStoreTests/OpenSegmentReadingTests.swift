import EventModel
import Foundation
import SegmentStore
import Testing
import TestSupport

/// Reads every record of the recording at `path`, open segments included (a snapshot).
private func readIncludingOpen(_ path: String) throws -> (records: [RecordedRequest], issues: [ReadIssue]) {
    try readIncludingOpen(Recording(path: path))
}

private func readIncludingOpen(_ recording: Recording) -> (records: [RecordedRequest], issues: [ReadIssue]) {
    var issues: [ReadIssue] = []
    let reader = RecordReader(recording, includingOpen: true) { issues.append($0) }
    let records = reader.map { $0.record.decode() }
    return (records, issues)
}

/// A follower and what it has handed out so far.
private final class Following {
    let follower: RecordingFollower
    private(set) var records: [RecordedRequest] = []
    private(set) var issues: [ReadIssue] = []

    private let box: IssueBox

    init(_ path: String, clock: ManualClock? = nil) throws {
        let recording = try Recording(path: path)
        let box = IssueBox()
        self.box = box
        if let clock {
            follower = RecordingFollower(recording, mode: .follow, monotonicNow: { clock.monotonic },
                                         wallNow: { clock.wall }) { box.append($0) }
        } else {
            follower = RecordingFollower(recording, mode: .follow) { box.append($0) }
        }
    }

    /// One poll round: what it hands out now.
    @discardableResult
    func round(draining: Bool = false) -> [RecordedRequest] {
        follower.poll()
        var new: [RecordedRequest] = []
        while let located = follower.next(draining: draining) { new.append(located.record.decode()) }
        records += new
        issues = box.issues
        return new
    }
}

private final class IssueBox {
    var issues: [ReadIssue] = []
    func append(_ issue: ReadIssue) { issues.append(issue) }
}

/// Clocks a test moves by hand.
private final class ManualClock {
    var monotonic = ContinuousClock.now
    var wall: Timestamp
    init(wall: Timestamp) { self.wall = wall }
}

struct OpenSegmentReadingTests {
    @Test func anOpenSegmentGivesExactlyTheFlushedRecords() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var factory = RecordFactory(seed: 41)
        let records = (0..<50).map { _ in factory.random() }
        let writer = try SegmentWriter(directory: directory.path, instance: "test-a")
        for record in records[..<30] { try writer.append(record) }
        try writer.flush(.written)
        #expect(try directory.entries() == ["test-a-0000000000000001.ndjson.zst.open"])
        #expect(try readAll(directory.path).records.isEmpty, "a plain read skips open segments")

        var (read, issues) = try readIncludingOpen(directory.path)
        #expect(issues.isEmpty, "\(issues)")
        #expect(read == Array(records[..<30]))

        // Appended but not flushed: not on disk yet, so not read.
        for record in records[30...] { try writer.append(record) }
        (read, issues) = try readIncludingOpen(directory.path)
        #expect(issues.isEmpty, "\(issues)")
        #expect(read == Array(records[..<30]))

        try writer.flush(.synced)
        (read, issues) = try readIncludingOpen(directory.path)
        #expect(issues.isEmpty, "\(issues)")
        #expect(read == records)
        try writer.seal()
        #expect(try readIncludingOpen(directory.path).records == records)
    }

    /// Cut anywhere, an open segment reads as a prefix of its records, and the
    /// cut is never reported.
    @Test func aTornTailIsNeverReportedAndReadsAsAPrefix() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var factory = RecordFactory(seed: 42)
        let records = (0..<40).map { _ in factory.random() }
        let writer = try SegmentWriter(directory: directory.path, instance: "test-a")
        let openPath = directory.file("test-a-0000000000000001.ndjson.zst.open")
        var flushedSizes: [Int] = []
        for chunk in stride(from: 0, to: records.count, by: 10) {
            for record in records[chunk..<chunk + 10] { try writer.append(record) }
            try writer.flush(.written)
            flushedSizes.append(try Data(contentsOf: URL(fileURLWithPath: openPath)).count)
        }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: openPath))

        let cutDirectory = try TemporaryDirectory()
        defer { cutDirectory.remove() }
        let cutPath = cutDirectory.file("test-a-0000000000000001.ndjson.zst.open")
        let step = max(1, bytes.count / 400)
        var previous = 0
        for cut in Array(stride(from: 0, through: bytes.count, by: step)) + flushedSizes {
            try bytes.prefix(cut).write(to: URL(fileURLWithPath: cutPath))
            let (read, issues) = try readIncludingOpen(cutDirectory.path)
            #expect(issues.isEmpty, "cut at \(cut): \(issues)")
            #expect(read == Array(records.prefix(read.count)), "cut at \(cut)")
            if let flushed = flushedSizes.firstIndex(of: cut) {
                #expect(read.count == (flushed + 1) * 10, "a flush point holds every record flushed")
            } else {
                #expect(read.count >= previous, "more bytes never read fewer records")
                previous = read.count
            }
        }
    }

    @Test func bytesThatDoNotDecodeBeforeTheEndAreReported() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var factory = RecordFactory(seed: 43)
        let writer = try SegmentWriter(directory: directory.path, instance: "test-a")
        for _ in 0..<200 {
            try writer.append(factory.event())
            try writer.flush(.written)
        }
        let openPath = directory.file("test-a-0000000000000001.ndjson.zst.open")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: openPath))
        for index in bytes.count / 2..<bytes.count / 2 + 64 { bytes[index] = 0xFF }
        try bytes.write(to: URL(fileURLWithPath: openPath))
        let (read, issues) = try readIncludingOpen(directory.path)
        #expect(!issues.isEmpty)
        #expect(read.count < 200)
    }

    /// A snapshot reads an open segment as far as it was when listed, even
    /// when it has grown or been sealed (renamed) since.
    @Test func aSnapshotReadsOpenSegmentsAsFarAsTheyWereListed() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let start = Timestamp(rfc3339: "2026-11-29T10:00:00Z")!
        var a = RecordFactory(seed: 44, instance: "inst-a", start: start)
        var b = RecordFactory(seed: 45, instance: "inst-b", start: Timestamp(microsecondsSinceEpoch: start.microsecondsSinceEpoch + 500))
        var first = (0..<30).flatMap { _ in [a.event(), b.event()] }
        var options = SegmentWriter.Options()
        options.maximumSegmentBytes = 1024
        let writers = [try SegmentWriter(directory: directory.path, instance: "inst-a", options: options),
                       try SegmentWriter(directory: directory.path, instance: "inst-b", options: options)]
        func write(_ records: [RecordedRequest]) throws {
            for record in records {
                let writer = writers[record.instance == "inst-a" ? 0 : 1]
                try writer.append(record)
                try writer.flush(.written)
            }
        }
        try write(first)
        // An append that fills a segment seals it: write on until both have an open one.
        while writers.contains(where: { $0.openSegmentBytes == 0 }) {
            let pair = [a.event(), b.event()]
            try write(pair)
            first += pair
        }
        let later = (0..<10).flatMap { _ in [a.event(), b.event()] }
        let listed = try Recording(path: directory.path)
        #expect(listed.segments.count >= 2, "both instances rotated: \(listed.segments.map(\.name))")
        #expect(listed.openSegments.count == 2)
        try write(later)
        let (read, issues) = readIncludingOpen(listed)
        #expect(issues.isEmpty, "\(issues)")
        #expect(read == first, "merged by received_at, nothing written after the listing")

        for writer in writers { try writer.seal() }
        #expect(try Recording(path: directory.path).openSegments.isEmpty)
        let afterSeal = readIncludingOpen(listed)
        #expect(afterSeal.issues.isEmpty, "\(afterSeal.issues)")
        #expect(afterSeal.records == first, "sealed since listed: read under the sealed name, as far as listed")
        #expect(try readIncludingOpen(directory.path).records == first + later)
    }

    @Test func inspectCountsWhatOpenSegmentsHoldSoFar() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var factory = RecordFactory(seed: 46)
        let sealed = try writeSealed((0..<5).map { _ in factory.event() }, to: directory.path)
        let writer = try SegmentWriter(directory: directory.path, instance: "test-a", lastSeq: sealed.lastSeq)
        for _ in 0..<7 { try writer.append(factory.event(type: .jobStarted)) }
        try writer.flush(.written)
        for _ in 0..<3 { try writer.append(factory.event()) }  // not flushed: not on disk

        let report = RecordingInspector.inspect(try Recording(path: directory.path), verify: true)
        #expect(report.issues.isEmpty, "\(report.issues)")
        #expect(report.total.records == 5)
        #expect(report.openSegments == ["test-a-0000000000000006.ndjson.zst.open"])
        #expect(report.openTotal.records == 7)
        #expect(report.openTotal.types == ["job.started": 7])
        #expect(report.openSegmentReports.map(\.summary.firstSeq) == [6])
        #expect(report.openSegmentReports.map(\.summary.lastSeq) == [12])
        #expect(report.openSegmentReports.map(\.summarySource) == [.open])
    }

    @Test func aFollowerSeesRecordsAsTheyAreFlushedAndEachOnceAcrossRotations() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var factory = RecordFactory(seed: 47)
        let records = (0..<300).map { _ in factory.random() }
        var options = SegmentWriter.Options()
        options.maximumSegmentBytes = 3000
        let writer = try SegmentWriter(directory: directory.path, instance: "test-a", options: options)
        let following = try Following(directory.path)
        #expect(following.round().isEmpty)

        for record in records[..<5] { try writer.append(record) }
        #expect(following.round().isEmpty, "nothing flushed yet")
        try writer.flush(.written)
        #expect(following.round() == Array(records[..<5]))
        try writer.seal()
        #expect(following.round().isEmpty, "sealing adds nothing")
        for record in records[5..<8] { try writer.append(record) }
        try writer.flush(.written)
        #expect(following.round() == Array(records[5..<8]), "the next segment")

        // Size rotations while the follower reads now and then.
        for (index, record) in records[8...].enumerated() {
            try writer.append(record)
            try writer.flush(.written)
            if index % 7 == 0 { following.round() }
        }
        try writer.seal()
        following.round()
        #expect(writer.sealedSegments.count > 5)
        #expect(following.issues.isEmpty, "\(following.issues)")
        #expect(following.records == records)
        #expect(following.round().isEmpty)
    }

    /// A writer crashes with a torn open segment; a restart recovers it and
    /// writes on: the follower hands out every kept record once.
    @Test func aFollowerGoesOnAcrossACrashAndRecovery() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var factory = RecordFactory(seed: 48)
        let records = (0..<30).map { _ in factory.event() }
        var crashed: SegmentWriter? = try SegmentWriter(directory: directory.path, instance: "test-a")
        for record in records[..<10] { try crashed!.append(record) }
        try crashed!.flush(.written)
        let following = try Following(directory.path)
        #expect(following.round() == Array(records[..<10]))
        for record in records[10..<20] { try crashed!.append(record) }
        try crashed!.flush(.written)
        crashed = nil
        // The crash tore the last write.
        let openPath = directory.file("test-a-0000000000000001.ndjson.zst.open")
        let size = try Data(contentsOf: URL(fileURLWithPath: openPath)).count
        #expect(truncate(openPath, off_t(size - 40)) == 0)

        let recovered = try #require(try SegmentRecovery.recoverOpenSegments(in: directory.path).first)
        let kept = recovered.recoveredRecords
        #expect(kept >= 10 && kept < 20)
        let restarted = try SegmentWriter(directory: directory.path, instance: "test-a", lastSeq: recovered.lastSeq)
        var after = RecordFactory(seed: 49, firstSeq: Int64(kept) + 1, start: records[19].receivedAt)
        let more = (0..<5).map { _ in after.event() }
        for record in more { try restarted.append(record) }
        try restarted.flush(.written)
        following.round()
        #expect(following.issues.isEmpty, "\(following.issues)")
        #expect(following.records == Array(records[..<kept]) + more)
    }

    /// Two instances: a record waits for the other instance to show a later
    /// one, or for the reorder window.
    @Test func aFollowerMergesInstancesWithinTheReorderWindow() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let start = Timestamp(rfc3339: "2026-11-29T10:00:00Z")!
        var a = RecordFactory(seed: 50, instance: "inst-a", start: start)
        var b = RecordFactory(seed: 51, instance: "inst-b", start: start)
        let a1 = a.event(gapMicroseconds: 0), a2 = a.event(gapMicroseconds: 2000), a3 = a.event(gapMicroseconds: 2000)
        let b1 = b.event(gapMicroseconds: 1000), b2 = b.event(gapMicroseconds: 2000)
        let writerA = try SegmentWriter(directory: directory.path, instance: "inst-a")
        let writerB = try SegmentWriter(directory: directory.path, instance: "inst-b")
        func write(_ writer: SegmentWriter, _ records: RecordedRequest...) throws {
            for record in records { try writer.append(record) }
            try writer.flush(.written)
        }
        try write(writerB, b1)
        try write(writerA, a1, a2, a3)
        // The follower's wall clock is just after these records: they are recent.
        let clock = ManualClock(wall: Timestamp(microsecondsSinceEpoch: start.microsecondsSinceEpoch + 10_000))
        let following = try Following(directory.path, clock: clock)

        #expect(following.round() == [a1, b1], "a2 waits: inst-b may still show an earlier record")
        try write(writerB, b2)
        #expect(following.round() == [a2, b2])
        clock.monotonic += .milliseconds(900)
        #expect(following.round().isEmpty, "inst-b has been quiet for less than the window")
        clock.monotonic += .milliseconds(200)
        #expect(following.round() == [a3], "inst-b quiet for the window: a3 goes")

        // A record received a window ago goes at once, whatever the others show.
        let b3 = b.event(gapMicroseconds: 10_000), a4 = a.event(gapMicroseconds: 20_000)
        try write(writerB, b3)
        try write(writerA, a4)
        #expect(following.round() == [b3])
        clock.wall = Timestamp(microsecondsSinceEpoch: a4.receivedAt.microsecondsSinceEpoch + 1_000_000)
        #expect(following.round() == [a4])

        // Draining (at a stop) hands out what was read without waiting.
        let a5 = a.event(gapMicroseconds: 1000)
        try write(writerA, a5)
        #expect(following.round().isEmpty)
        #expect(following.round(draining: true) == [a5])
        #expect(following.issues.isEmpty)
    }
}
