import AsyncHTTPClient
import EventModel
import Foundation
import NIOCore
import Synchronization
import Testing
import TestSupport

/// `cat --include-open`, `cat --follow`, `inspect` and `replay --include-open`
/// reading what a running recorder has acknowledged. Loads are small (a few
/// hundred requests), every child is stopped, and every wait has a deadline.
@Suite(.serialized)
struct FollowProcessTests {
    /// A job event whose `Info` is 320 random hex digits, so that segments of
    /// 16 KiB fill after about a hundred records.
    private func body(_ id: Int) -> [UInt8] {
        var generator = SeededGenerator(seed: UInt64(id))
        let noise = (0..<20).map { _ in String(format: "%016llx", UInt64.random(in: .min ... .max, using: &generator)) }.joined()
        return Array(#"{"Type":"job.completed","EventId":"\#(id)","Timestamp":"2026-11-29T10:00:00Z","Job":{"Id":\#(id),"State":"Successful","Info":"\#(noise)"},"TenantId":1}"#.utf8)
    }

    /// Posts the ids one after another to each port in turn; the ids answered 2xx.
    private func post(_ ids: [Int], ports: [Int]) async throws -> [Int] {
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        var acknowledged: [Int] = []
        for (index, id) in ids.enumerated() {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(ports[index % ports.count])/hook")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
            request.body = .bytes(ByteBuffer(bytes: body(id)))
            guard let response = try? await client.execute(request, timeout: .seconds(10)) else { continue }
            _ = try? await response.body.collect(upTo: 1 << 16)
            if (200..<300).contains(Int(response.status.code)) { acknowledged.append(id) }
        }
        try await client.shutdown()
        return acknowledged
    }

    /// A printed record and the EventId of its body.
    private struct Printed {
        var record: RecordedRequest
        var id: Int?
    }

    private func records(_ lines: [String]) throws -> [Printed] {
        try lines.map { line in
            let record = try RecordLine(Array(line.utf8)[...]).decode()
            return Printed(record: record, id: EventEnvelope(scanning: record.body)?.eventId.flatMap(Int.init))
        }
    }

    @Test func catIncludeOpenReadsEveryAcknowledgedRecordBeforeAnySeal() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let recording = directory.file("rec")
        let recorder = try ChildRecorder(arguments: ["--out", recording, "--instance", "open-test"])
        defer { if recorder.process.isRunning { recorder.stop(with: SIGKILL) } }
        let acknowledged = try await post(Array(1...120), ports: [recorder.port])
        #expect(acknowledged.count == 120)
        #expect(try FileManager.default.contentsOfDirectory(atPath: recording) == ["open-test-0000000000000001.ndjson.zst.open"])

        let plain = try CommandRunner.hookreel(["cat", recording])
        #expect(plain.status == 0)
        #expect(plain.stdoutLines.isEmpty)
        #expect(plain.stderr.contains("--include-open"), "\(plain.stderr)")

        let open = try CommandRunner.hookreel(["cat", recording, "--include-open"])
        #expect(open.status == 0)
        #expect(open.stderr.isEmpty, "\(open.stderr)")
        let read = try records(open.stdoutLines)
        #expect(read.map { $0.id ?? -1 } == acknowledged)
        #expect(read.map(\.record.seq) == Array(1...120))

        let bodies = try CommandRunner.hookreel(["cat", recording, "--include-open", "--body", "--type", "job.*"])
        #expect(bodies.stdoutLines == acknowledged.map { String(decoding: body($0), as: UTF8.self) })
        let none = try CommandRunner.hookreel(["cat", recording, "--include-open", "--type", "queueItem.*"])
        #expect(none.stdoutLines.isEmpty)

        let inspect = try CommandRunner.hookreel(["inspect", recording])
        #expect(inspect.status == 0)
        #expect(inspect.stdoutText.contains("open        120 records so far in 1 open segment"), "\(inspect.stdoutText)")
        let json = try CommandRunner.hookreel(["inspect", recording, "--json"])
        let report = try #require(try JSONSerialization.jsonObject(with: json.stdout) as? [String: Any])
        #expect((report["open_total"] as? [String: Any])?["records"] as? Int == 120)
        #expect((report["total"] as? [String: Any])?["records"] as? Int == 0)

        #expect(recorder.stop(with: SIGTERM) == 0)
        #expect(try CommandRunner.hookreel(["cat", recording]).stdoutLines.count == 120)
    }

    @Test func catFollowPrintsEveryAcknowledgedRecordOnceAcrossRotations() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let recording = directory.file("rec")
        let recorder = try ChildRecorder(arguments: ["--out", recording, "--instance", "follow-test", "--segment-size", "16KiB"])
        defer { if recorder.process.isRunning { recorder.stop(with: SIGKILL) } }
        let follower = try StreamingChild(["cat", recording, "--follow"])
        defer { follower.stop(with: SIGKILL) }

        let firstHalf = try await post(Array(1...200), ports: [recorder.port])
        #expect(follower.waitForLines(firstHalf.count), "the follower printed records as they came")
        let secondHalf = try await post(Array(201...400), ports: [recorder.port])
        let acknowledged = firstHalf + secondHalf
        #expect(acknowledged.count == 400)
        let sealed = try FileManager.default.contentsOfDirectory(atPath: recording).filter { $0.hasSuffix(".ndjson.zst") }
        #expect(sealed.count >= 3, "several rotations: \(sealed)")
        #expect(follower.waitForLines(acknowledged.count))

        #expect(follower.stop(with: SIGINT) == 0)
        #expect(follower.stderr.isEmpty, "\(follower.stderr)")
        let read = try records(follower.stdoutLines)
        #expect(read.map { $0.id ?? -1 } == acknowledged, "every acknowledged record once, in order")
        #expect(read.map(\.record.seq) == Array(1...400))
        #expect(recorder.stop(with: SIGTERM) == 0)
    }

    /// Two recorders write to one directory: the follower prints each record
    /// once, each instance in seq order, merged by received_at.
    @Test func catFollowMergesSeveralRecorders() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let recording = directory.file("rec")
        let one = try ChildRecorder(arguments: ["--out", recording, "--instance", "one", "--segment-size", "16KiB"])
        defer { if one.process.isRunning { one.stop(with: SIGKILL) } }
        let two = try ChildRecorder(arguments: ["--out", recording, "--instance", "two", "--segment-size", "16KiB"])
        defer { if two.process.isRunning { two.stop(with: SIGKILL) } }
        let follower = try StreamingChild(["cat", recording, "--follow", "--type", "job.completed"])
        defer { follower.stop(with: SIGKILL) }

        let acknowledged = try await post(Array(1...240), ports: [one.port, two.port])
        #expect(acknowledged.count == 240)
        #expect(follower.waitForLines(acknowledged.count))
        #expect(follower.stop(with: SIGINT) == 0)
        let read = try records(follower.stdoutLines)
        #expect(read.compactMap(\.id).sorted() == acknowledged)
        for instance in ["one", "two"] {
            let seqs = read.filter { $0.record.instance == instance }.map(\.record.seq)
            #expect(seqs == Array(1...120), "\(instance)")
        }
        // Posted one after another, each received after the one before was
        // durable: the merge keeps that order (within the 1 s window).
        var latest: Int64 = 0
        for printed in read {
            let time = printed.record.receivedAt.microsecondsSinceEpoch
            #expect(time >= latest - 1_000_000, "record \(printed.id ?? -1) printed more than the window out of order")
            latest = max(latest, time)
        }
        #expect(one.stop(with: SIGTERM) == 0)
        #expect(two.stop(with: SIGTERM) == 0)
    }

    @Test func replayIncludeOpenSendsWhatWasCapturedWhenItStarted() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let captured = directory.file("captured")
        let recorder = try ChildRecorder(arguments: ["--out", captured, "--instance", "capture"])
        defer { if recorder.process.isRunning { recorder.stop(with: SIGKILL) } }
        let acknowledged = try await post(Array(1...50), ports: [recorder.port])
        #expect(acknowledged.count == 50)

        let received = directory.file("received")
        let target = try ChildRecorder(arguments: ["--out", received, "--durability", "flush", "--instance", "target"])
        defer { if target.process.isRunning { target.stop(with: SIGKILL) } }
        let replay = try CommandRunner.hookreel(["replay", captured, "--include-open", "--target", "http://127.0.0.1:\(target.port)/hook",
                                                 "--rate", "2000/s", "--timeout", "5s", "--quiet"])
        #expect(replay.status == 0, "\(replay.stderr)")
        #expect(target.stop(with: SIGTERM) == 0)
        // Sent at a rate over several connections: compared in any order.
        let bodies = try CommandRunner.hookreel(["cat", received, "--body"]).stdoutLines
        #expect(bodies.sorted() == acknowledged.map { String(decoding: body($0), as: UTF8.self) }.sorted())
        #expect(recorder.stop(with: SIGTERM) == 0)
    }
}

/// A `hookreel` command that runs until signalled (`cat --follow`), its
/// stdout and stderr read as it goes.
final class StreamingChild: Sendable {
    private let process: Process
    private let output = CapturedBytes()
    private let errors = CapturedBytes()

    private final class CapturedBytes: Sendable {
        private let bytes = Mutex(Data())
        private let closed = Atomic(false)
        func append(_ data: Data) { bytes.withLock { $0.append(data) } }
        func close() { closed.store(true, ordering: .releasing) }
        var isClosed: Bool { closed.load(ordering: .acquiring) }
        var text: String { bytes.withLock { String(decoding: $0, as: UTF8.self) } }
    }

    init(_ arguments: [String]) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: CommandRunner.binary)
        process.arguments = arguments
        let outputPipe = Pipe(), errorPipe = Pipe()
        process.standardOutput = outputPipe
        process.standardError = errorPipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        for (pipe, captured) in [(outputPipe, output), (errorPipe, errors)] {
            let handle = pipe.fileHandleForReading
            Thread {
                while case let data = handle.availableData, !data.isEmpty { captured.append(data) }
                captured.close()
            }.start()
        }
    }

    var stderr: String { errors.text }

    /// The complete lines printed so far.
    var stdoutLines: [String] {
        let text = output.text
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        if !text.hasSuffix("\n"), !lines.isEmpty { lines.removeLast() }
        return lines
    }

    /// Waits (up to `timeout`) until at least `count` lines were printed.
    func waitForLines(_ count: Int, timeout: TimeInterval = 30) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while stdoutLines.count < count && Date() < deadline && process.isRunning { usleep(20_000) }
        return stdoutLines.count >= count
    }

    /// Sends `signal`, waits (up to 20 s, then kills it) for the exit and its
    /// last output; the exit status.
    @discardableResult
    func stop(with signal: Int32) -> Int32 {
        if process.isRunning { kill(process.processIdentifier, signal) }
        let deadline = Date().addingTimeInterval(20)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        while !(output.isClosed && errors.isClosed) && Date() < deadline.addingTimeInterval(5) { usleep(10_000) }
        return process.terminationStatus
    }
}
