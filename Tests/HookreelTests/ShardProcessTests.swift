import EventModel
import Foundation
import SegmentStore
import Synchronization
import Testing
import TestSupport

/// Sharded runs as a Kubernetes Indexed Job runs them: N `hookreel` processes,
/// each told its index (as text or through `$JOB_COMPLETION_INDEX`), launched
/// apart and started together with one `--start-at`, against one sink; then
/// `report merge` gives the one verdict. Loads are bounded in count and time.
@Suite(.serialized)
struct ShardProcessTests {
    static let sample = CommandRunner.packageRoot + "/recordings/sample"
    static let quickstart = CommandRunner.packageRoot + "/scenarios/quickstart.yaml"

    /// Runs one command per shard at once, launching each `stagger` seconds
    /// after the previous, and waits for all of them.
    private func runShards(_ count: Int, stagger: Double, arguments: @escaping @Sendable (Int) -> [String],
                           environment: @escaping @Sendable (Int) -> [String: String] = { _ in [:] }) -> [CommandRunner.Result?] {
        let results = Mutex<[Int: CommandRunner.Result]>([:])
        let group = DispatchGroup()
        // A thread each: blocked shards held the global queue's few threads
        // on two cores, so later shards launched after their --start-at.
        for index in 0..<count {
            group.enter()
            Thread {
                usleep(useconds_t(Double(index) * stagger * 1e6))
                let result = try? CommandRunner.hookreel(arguments(index), environment: environment(index))
                results.withLock { $0[index] = result }
                group.leave()
            }.start()
        }
        group.wait()
        return (0..<count).map { index in results.withLock { $0[index] } }
    }

    /// A whole second at least `seconds` from now, as RFC 3339.
    private func startInstant(inSeconds seconds: Int64) -> Timestamp {
        let now = Timestamp.now().microsecondsSinceEpoch
        return Timestamp(microsecondsSinceEpoch: (now / 1_000_000 + seconds + 1) * 1_000_000)
    }

    private func json(_ path: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    }

    /// The sink's summary line starting with `label`, as an integer.
    private func count(_ label: String, in summary: String) -> Int? {
        summary.split(separator: "\n").first { $0.hasPrefix(label) }
            .flatMap { Int($0.dropFirst(label.count).prefix { $0.isNumber }) }
    }

    private func recordCount(_ path: String) throws -> Int {
        RecordReader(try Recording(path: path)) { issue in Issue.record("read issue: \(issue)") }.reduce(0) { count, _ in count + 1 }
    }

    @Test func fourShardsStartTogetherAndDeliverEveryEventOnceInEntityOrder() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let total = try recordCount(Self.sample)
        let sink = try ChildServer(arguments: ["--seed", "1"], environment: [:])
        let target = "http://127.0.0.1:\(sink.port)/hooks"
        // Enough lead for the last launch on a busy machine (debug binaries start slowly).
        let start = startInstant(inSeconds: 8)
        let results = runShards(4, stagger: 0.7) { index in
            // Even shards read their index as a Job gives it; odd ones get it as expanded text.
            ["replay", Self.sample, "--target", target, "--rate", "2000/s", "--order", "entity", "--quiet",
             "--shard", index % 2 == 0 ? "auto/4" : "\(index)/4", "--start-at", start.description,
             "--json", directory.file("shard-\(index).json")]
        } environment: { index in
            index % 2 == 0 ? ["JOB_COMPLETION_INDEX": String(index)] : [:]
        }
        let summary = sink.stop(with: SIGTERM).stdout
        for (index, result) in results.enumerated() {
            #expect(result?.status == 0, "shard \(index): \(result?.stderr ?? "did not run")")
        }
        #expect(count("requests received: ", in: summary) == total, "\(summary)")
        #expect(count("duplicate EventIds: ", in: summary) == 0, "\(summary)")
        #expect(count("order violations: ", in: summary) == 0, "\(summary)")

        var firstSends: [Int64] = []
        var requests = 0
        for index in 0..<4 {
            let result = try json(directory.file("shard-\(index).json"))
            let metadata = try #require(result["metadata"] as? [String: Any])
            let statistics = try #require(result["statistics"] as? [String: Any])
            #expect(metadata["started_at"] as? String == start.description, "every shard's clock starts at --start-at")
            #expect((metadata["shard"] as? [String: Int]) == ["index": index, "count": 4])
            let sent = try #require(statistics["sent"] as? [String: Int64])
            firstSends.append(try #require(sent["first_us"]))
            requests += try #require(statistics["requests"] as? Int)
        }
        let spread = firstSends.max()! - firstSends.min()!
        #expect(spread <= 50_000, "first sends \(firstSends) µs after the common start")

        let merged = directory.file("merged.json")
        let merge = try CommandRunner.hookreel(["report", "merge", directory.path, "-o", merged])
        #expect(merge.status == 0, "\(merge.stderr)")
        let mergedStatistics = try #require(try json(merged)["statistics"] as? [String: Any])
        #expect(mergedStatistics["requests"] as? Int == requests)
        #expect(requests == total)
    }

    @Test func fourShardsAtATotalRateGiveTheSinkThatRateEachSecond() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let received = directory.file("received")
        let sink = try ChildServer(arguments: ["--seed", "1", "--record", received], environment: [:])
        let target = "http://127.0.0.1:\(sink.port)/hooks"
        let start = startInstant(inSeconds: 5)
        let results = runShards(4, stagger: 0.3) { index in
            ["replay", Self.sample, "--target", target, "--rate", "400/s", "--duration", "3s", "--loop", "forever",
             "--fresh-ids", "--seed", "5", "--quiet", "--shard", "\(index)/4", "--start-at", start.description]
        }
        _ = sink.stop(with: SIGTERM)
        for (index, result) in results.enumerated() {
            #expect(result?.status == 0, "shard \(index): \(result?.stderr ?? "did not run")")
        }
        var perSecond = [Int](repeating: 0, count: 4)
        let reader = RecordReader(try Recording(path: received)) { issue in Issue.record("read issue: \(issue)") }
        for located in reader {
            let second = Int((located.record.receivedAt.microsecondsSinceEpoch - start.microsecondsSinceEpoch) / 1_000_000)
            if perSecond.indices.contains(second) { perSecond[second] += 1 }
        }
        // 3 s at 400/s: each whole second holds 400 deliveries within 2%.
        for second in 0..<3 {
            #expect(abs(perSecond[second] - 400) <= 8, "second \(second): \(perSecond)")
        }
    }

    @Test func aStormSplitFourWaysIsTheUnshardedStorm() throws {
        let arguments = ["storm", Self.quickstart, "--print", "--start", "2026-12-01T00:00:00Z", "--duration", "20s"]
        let whole = try CommandRunner.hookreel(arguments)
        #expect(whole.status == 0, "\(whole.stderr)")
        var union: [String: Int] = [:]
        var parts = 0
        for index in 0..<4 {
            let part = try CommandRunner.hookreel(arguments + ["--shard", "\(index)/4"])
            #expect(part.status == 0, "\(part.stderr)")
            #expect(!part.stdoutLines.isEmpty && part.stdoutLines.count < whole.stdoutLines.count)
            parts += part.stdoutLines.count
            for line in part.stdoutLines { union[line, default: 0] += 1 }
        }
        var expected: [String: Int] = [:]
        for line in whole.stdoutLines { expected[line, default: 0] += 1 }
        #expect(parts == whole.stdoutLines.count)
        #expect(union == expected)
    }

    /// Live storm shards count only their own events, so their merged series
    /// add up to what the sink received, second by second.
    @Test func liveStormShardsAddUpToTheStorm() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let sink = try ChildServer(arguments: ["--seed", "1"], environment: [:])
        let target = "http://127.0.0.1:\(sink.port)/hooks"
        let start = startInstant(inSeconds: 4)
        let results = runShards(2, stagger: 0.5) { index in
            ["storm", Self.quickstart, "--target", target, "--duration", "3s", "--time-scale", "600", "--quiet",
             "--shard", "\(index)/2", "--start-at", start.description, "--json", directory.file("storm-\(index).json")]
        }
        let summary = sink.stop(with: SIGTERM).stdout
        #expect(results.allSatisfy { $0?.status == 0 }, "\(results.map { $0?.stderr ?? "" })")
        let merged = directory.file("merged.json")
        let merge = try CommandRunner.hookreel(["report", "merge", directory.file("storm-0.json"), directory.file("storm-1.json"),
                                                "-o", merged])
        #expect(merge.status == 0, "\(merge.stderr)")
        let storm = try #require(try json(merged)["storm"] as? [String: Any])
        let events = try #require(storm["events_per_second"] as? [Int])
        #expect(events.count == 3, "the shards' seconds line up: \(events)")
        #expect(events.reduce(0, +) == count("requests received: ", in: summary), "\(events) vs \(summary)")
        #expect(count("order violations: ", in: summary) == 0, "\(summary)")
    }

    @Test func mergeGatesOnTheMergedVerdictAndNamesAMissingShard() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try FileManager.default.createDirectory(atPath: directory.file("results"), withIntermediateDirectories: true)
        let sink = try ChildServer(arguments: ["--seed", "1"], environment: [:])
        let target = "http://127.0.0.1:\(sink.port)/hooks"
        let results = runShards(2, stagger: 0) { index in
            ["replay", Self.sample, "--target", target, "--limit", "60", "--rate", "1000/s", "--quiet",
             "--shard", "\(index)/2", "--json", directory.file("results/shard-\(index).json")]
        }
        _ = sink.stop(with: SIGTERM)
        #expect(results.allSatisfy { $0?.status == 0 }, "\(results.map { $0?.stderr ?? "" })")
        let merged = directory.file("merged.json")

        let breached = try CommandRunner.hookreel(["report", "merge", directory.file("results/*.json"), "-o", merged,
                                                   "--fail-on", "p99>1us", "--html", directory.file("merged.html")])
        #expect(breached.status == 3, "\(breached.stderr)")
        #expect(breached.stderr.contains("threshold breached: p99 was"), "\(breached.stderr)")
        #expect(breached.stdoutText.contains("0, 1 of 2"), "\(breached.stdoutText)")
        #expect(FileManager.default.fileExists(atPath: directory.file("merged.html")))

        let held = try CommandRunner.hookreel(["report", "merge", directory.file("results"), "-o", merged, "--fail-on", "p99>30s"])
        #expect(held.status == 0, "\(held.stderr)")

        let missing = try CommandRunner.hookreel(["report", "merge", directory.file("results/shard-1.json"), "-o", merged])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("shard 0 of 2 missing"), "\(missing.stderr)")
        // The output is never an input: left out of a directory, refused when named.
        let again = try CommandRunner.hookreel(["report", "merge", directory.path, "-o", merged])
        #expect(again.status == 1 && again.stderr.contains("no result files to merge"), "\(again.stderr)")
        let named = try CommandRunner.hookreel(["report", "merge", merged, directory.file("results"), "-o", merged])
        #expect(named.status == 1 && named.stderr.contains("is also the output"), "\(named.stderr)")
        // A file named twice (once through its directory) is read once.
        let twice = try CommandRunner.hookreel(["report", "merge", directory.file("results"), directory.file("results/shard-0.json"),
                                                "-o", merged])
        #expect(twice.status == 0, "\(twice.stderr)")
        let partial = try CommandRunner.hookreel(["report", "merge", directory.file("results/shard-1.json"), "-o", merged, "--partial"])
        #expect(partial.status == 0, "\(partial.stderr)")
        #expect(partial.stdoutText.contains("1 of 2 (missing 0)"), "\(partial.stdoutText)")
    }

    @Test(arguments: [
        (["--shard", "4/4"], [:], "--shard 4/4: shard index 4: expected 0 to 3 for 4 shards"),
        (["--shard", "x/4"], [:], "--shard x/4: the index 'x' is not a whole number"),
        (["--shard", "1-4"], [:], "--shard 1-4: expected I/N"),
        (["--shard", "0/0"], [:], "--shard 0/0: shard count 0: expected at least 1"),
        (["--shard", "auto/4"], [:], "--shard auto/4: $JOB_COMPLETION_INDEX is not set"),
        (["--shard", "auto/4"], ["JOB_COMPLETION_INDEX": "7"], "--shard auto/4: shard index 7"),
        (["--start-at", "2020-01-01T00:00:00Z"], [:], "--start-at 2020-01-01T00:00:00Z: more than 7 days from now"),
        (["--start-at", Timestamp(microsecondsSinceEpoch: Timestamp.now().microsecondsSinceEpoch - 3_600_000_000).description], [:],
         "that time has passed (it is now"),
        (["--start-at", "soon"], [:], "--start-at soon: expected an RFC 3339 time"),
        (["--start-at", "+200h"], [:], "--start-at +200h: more than 7 days from now"),
        (["--start-at-late", "ok"], [:], "--start-at-late applies to --start-at"),
    ] as [([String], [String: String], String)])
    func badScaleOutOptionsAreUsageErrorsNamingTheOption(extra: [String], environment: [String: String], message: String) throws {
        let result = try CommandRunner.hookreel(["replay", Self.sample, "--target", "http://127.0.0.1:9/hooks"] + extra,
                                                environment: environment)
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }
}
