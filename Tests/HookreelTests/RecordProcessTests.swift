import AsyncHTTPClient
import EventModel
import Foundation
import NIOCore
import Synchronization
import Testing
import TestSupport

/// The recorder as users run it: a process that can be killed at any moment.
@Suite(.serialized)
struct RecordProcessTests {
    private func body(_ id: Int) -> [UInt8] {
        Array(#"{"Type":"job.completed","EventId":"\#(id)","Timestamp":"2026-11-29T10:00:00Z","Job":{"Id":\#(id),"State":"Successful"},"TenantId":1}"#.utf8)
    }

    /// Posts bodies with increasing ids from `workers` tasks until `stop` is
    /// set or `limit` requests were made; returns the ids answered 2xx.
    private func load(port: Int, workers: Int, limit: Int, firstId: Int = 1, stop: StopFlag = StopFlag(),
                      progress: Counter = Counter(startingAt: 1)) async -> [Int] {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(2), read: .seconds(5))
        configuration.connectionPool = .init(idleTimeout: .seconds(5), concurrentHTTP1ConnectionsPerHostSoftLimit: workers)
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        let nextId = Counter(startingAt: firstId)
        let acknowledged = await withTaskGroup(of: [Int].self) { group in
            for _ in 0..<workers {
                group.addTask {
                    var mine: [Int] = []
                    while !stop.isSet {
                        let id = nextId.next()
                        if id >= firstId + limit { break }
                        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/hook")
                        request.method = .POST
                        request.body = .bytes(self.body(id))
                        guard let response = try? await client.execute(request, timeout: .seconds(5)) else { continue }
                        _ = try? await response.body.collect(upTo: 1 << 16)
                        if (200..<300).contains(Int(response.status.code)) {
                            mine.append(id)
                            _ = progress.next()
                        }
                    }
                    return mine
                }
            }
            var all: [Int] = []
            for await ids in group { all += ids }
            return all
        }
        try? await client.shutdown()
        return acknowledged
    }

    private func recordedIds(_ recording: String) throws -> [Int] {
        let result = try CommandRunner.hookreel(["cat", recording, "--body"])
        #expect(result.stderr.isEmpty, "\(result.stderr)")
        return result.stdoutLines.compactMap { line in
            EventEnvelope(scanning: Array(line.utf8))?.eventId.flatMap(Int.init)
        }
    }

    @Test(arguments: ["fsync", "flush"])
    func killNineLosesNoAcknowledgedRequestAndDuplicatesNone(durability: String) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let recording = directory.file("rec")
        let arguments = ["--out", recording, "--durability", durability, "--segment-size", "16KiB", "--instance", "kill-test"]

        let first = try ChildRecorder(arguments: arguments)
        let stop = StopFlag()
        let progress = Counter(startingAt: 1)
        async let acknowledgedByFirst = load(port: first.port, workers: 8, limit: 20_000, stop: stop, progress: progress)
        // Let load build up, then kill mid-stream (however slow a busy machine is).
        let deadline = ContinuousClock.now + .seconds(30)
        while progress.current < 300 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        first.stop(with: SIGKILL)
        stop.set()
        let acknowledged = await acknowledgedByFirst
        #expect(acknowledged.count > 50, "the load reached the recorder")

        // Restart on the same directory: recovery seals the torn segment.
        let second = try ChildRecorder(arguments: arguments)
        let more = await load(port: second.port, workers: 2, limit: 20, firstId: 1_000_000)
        #expect(second.stop(with: SIGTERM) == 0)
        #expect(second.stderr.contains("recovered open segment"))

        let ids = try recordedIds(recording)
        let counts = Dictionary(ids.map { ($0, 1) }, uniquingKeysWith: +)
        let missing = acknowledged.filter { counts[$0] == nil }
        #expect(missing.isEmpty, "acknowledged but not recorded: \(missing.prefix(10))")
        #expect(counts.values.allSatisfy { $0 == 1 }, "recorded more than once: \(counts.filter { $0.value > 1 }.keys.prefix(10))")
        #expect(more.count == 20, "the restarted recorder answers")
        #expect(Set(more).isSubset(of: Set(ids)))
        let verify = try CommandRunner.hookreel(["inspect", recording, "--verify"])
        #expect(verify.status == 0, "\(verify.stdoutText)")
    }

    /// The disk fills up while the recorder runs: it answers 503 (never a 2xx
    /// it cannot keep), and at SIGTERM it cannot seal. It says so and exits 2;
    /// given room, the next start recovers every acknowledged record.
    @Test(.enabled(if: SmallFilesystem.isAvailable, "needs root to mount a small tmpfs"))
    func aStopOnAFullDiskSaysSoAndTheRestartRecoversEveryAcknowledgedRecord() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let filesystem = try #require(SmallFilesystem(in: directory, kilobytes: 256))
        defer { filesystem.unmount() }
        let recording = filesystem.path + "/rec"
        let arguments = ["--out", recording, "--instance", "full-disk"]
        let first = try ChildRecorder(arguments: arguments)
        let acknowledged = await load(port: first.port, workers: 4, limit: 30_000)
        #expect(acknowledged.count > 100 && acknowledged.count < 30_000, "the disk filled up: \(acknowledged.count) acknowledged")
        #expect(first.stop(with: SIGTERM) == 2)
        #expect(first.stderr.contains("could not seal the open segment"), "\(first.stderr.suffix(2000))")
        #expect(first.stderr.contains("the next start on this directory recovers it"))
        #expect(first.stderr.contains("stopped, not cleanly"))

        try filesystem.resize(kilobytes: 64 * 1024)
        let second = try ChildRecorder(arguments: arguments)
        #expect(second.stop(with: SIGTERM) == 0)
        #expect(second.stderr.contains("recovered open segment"))
        let ids = Set(try recordedIds(recording))
        let missing = acknowledged.filter { !ids.contains($0) }
        #expect(missing.isEmpty, "acknowledged but not recorded: \(missing.prefix(10))")
    }

    @Test func sigtermFinishesRequestsAndSeals() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let recording = directory.file("rec")
        let child = try ChildRecorder(arguments: ["--out", recording, "--instance", "term-test"])
        let acknowledged = await load(port: child.port, workers: 4, limit: 200)
        #expect(acknowledged.count == 200)
        #expect(child.stop(with: SIGTERM) == 0)
        #expect(child.stderr.contains("sealed segment"))
        let entries = try FileManager.default.contentsOfDirectory(atPath: recording)
        #expect(entries.allSatisfy { $0.hasSuffix(".ndjson.zst") }, "\(entries)")
        #expect(try recordedIds(recording).sorted() == Array(1...200))
    }

    @Test func badArgumentsAreNamed() throws {
        let noSecret = try CommandRunner.hookreel(["record", "--listen", "127.0.0.1:0", "--out", "/tmp/x", "--require-signature"])
        #expect(noSecret.status != 0)
        #expect(noSecret.stderr.contains("--require-signature needs a secret"))
        let badListen = try CommandRunner.hookreel(["record", "--listen", "nowhere", "--out", "/tmp/x"])
        #expect(badListen.stderr.contains("--listen"))
        let unsetSecret = try CommandRunner.hookreel(["record", "--listen", "127.0.0.1:0", "--out", "/tmp/x", "--secret-env", "HOOKREEL_NO_SUCH_VARIABLE"])
        #expect(unsetSecret.status != 0)
        #expect(unsetSecret.stderr.contains("HOOKREEL_NO_SUCH_VARIABLE"))
    }
}

/// Tells load tasks to stop.
final class StopFlag: Sendable {
    private let flag = Atomic(false)
    var isSet: Bool { flag.load(ordering: .relaxed) }
    func set() { flag.store(true, ordering: .relaxed) }
}

/// Hands out 1, 2, 3, ... to concurrent tasks.
final class Counter: Sendable {
    private let value: Atomic<Int>
    init(startingAt first: Int) { value = Atomic(first - 1) }
    func next() -> Int { value.add(1, ordering: .relaxed).newValue }
    var current: Int { value.load(ordering: .relaxed) }
}
