import EventModel
import Foundation
import Primitives
import Testing
import TestSupport
@testable import Reporting

@Suite struct RunResultTests {
    @Test func achievedRateAndErrorRatio() {
        // 11 sends 100 ms apart: 10 intervals in 1 s.
        let samples = (0...10).map { sample(intended: Double($0) * 100, service: 5, outcome: $0 < 2 ? .status(500) : .status(200)) }
        let result = RunResult(metadata: metadata(targetRate: 10), statistics: statistics(samples))
        #expect(result.achievedRate == 10)
        #expect(result.achievedFractionOfTarget == 1)
        #expect(result.errorRatio == 2.0 / 11)
        #expect(result.duration == .milliseconds(1005))
    }

    @Test(arguments: [0, 1])
    func achievedRateIsZeroBelowTwoRequests(count: Int) {
        let samples = (0..<count).map { _ in sample(intended: 0, service: 1) }
        let result = RunResult(metadata: metadata(), statistics: statistics(samples))
        #expect(result.achievedRate == 0)
        #expect(result.errorRatio == 0)
    }

    @Test func jsonRoundTripIsEqualAndStable() throws {
        var generator = SeededGenerator(seed: 9)
        let result = RunResult(metadata: metadata(targetRate: nil), statistics: statistics(randomSamples(count: 300, seconds: 3, using: &generator)))
        let bytes = try result.jsonBytes()
        #expect(try RunResult(jsonBytes: bytes, source: "r.json") == result)
        #expect(try result.jsonBytes() == bytes)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix(#"{"metadata":{"command":"replay","pacing":"#))
        #expect(text.contains(#""started_at":"2026-03-01T12:00:00.000000Z""#))
        #expect(text.contains(#""version":1"#))
        #expect(!text.contains("target_rate"))
    }

    @Test(arguments: [
        ("{", "r.json: not a hookreel result: not valid JSON"),
        (#"{"version":1,"metadata":{}}"#, "r.json: not a hookreel result: missing field 'metadata.command'"),
        (#"{"version":2}"#, "r.json: result format version 2 is not supported (this hookreel reads version 1)"),
        (#"{"metadata":{}}"#, "r.json: not a hookreel result: missing field 'version'"),
        (#"{"version":"1"}"#, "r.json: not a hookreel result: version: expected an integer"),
    ])
    func malformedResultsNameTheFile(json: String, message: String) {
        #expect {
            try RunResult(jsonBytes: Array(json.utf8), source: "r.json")
        } throws: { error in
            (error as? ReportError)?.description.hasPrefix(message) == true
        }
    }

    @Test func inconsistentCountsAreRejected() throws {
        let result = RunResult(metadata: metadata(), statistics: statistics([sample(intended: 0, service: 1)]))
        let text = String(decoding: try result.jsonBytes(), as: UTF8.self).replacingOccurrences(of: #""requests":1"#, with: #""requests":2"#)
        #expect(throws: ReportError.self) { try RunResult(jsonBytes: Array(text.utf8), source: "r.json") }
        do {
            _ = try RunResult(jsonBytes: Array(text.utf8), source: "r.json")
        } catch {
            #expect(error.description == "r.json: not a hookreel result: statistics.latency: requests is 2 but the latency histogram count 1")
        }
    }

    @Test func missingFileIsNamed() {
        #expect {
            try RunResult(contentsOfFile: "/nonexistent/run.json")
        } throws: { error in
            (error as? ReportError)?.description == "/nonexistent/run.json: cannot open: No such file or directory"
        }
    }

    @Test func mergingFilesOfShardsEqualsOneRun() throws {
        var generator = SeededGenerator(seed: 5)
        let samples = randomSamples(count: 1000, seconds: 10, using: &generator)
        let directory = try TemporaryDirectory("reporting")
        defer { directory.remove() }
        var paths: [String] = []
        for shard in 0..<3 {
            let part = samples.enumerated().filter { $0.offset % 3 == shard }.map(\.element)
            let path = directory.file("shard-\(shard).json")
            try RunResult(metadata: metadata(targetRate: 100), statistics: statistics(part)).write(toFile: path)
            paths.append(path)
        }
        let merged = try RunResult.merging(try paths.map { path throws(ReportError) in try RunResult(contentsOfFile: path) })
        #expect(merged.statistics == statistics(samples))
        #expect(merged.metadata.targetRate == 300)
        #expect(merged.metadata.target == "http://127.0.0.1:8080/hook")
        #expect(try directory.entries() == ["shard-0.json", "shard-1.json", "shard-2.json"])
    }

    /// A shard that started 3 s later: its offsets move by 3 s, its seconds by 3.
    @Test func mergingRebasesOntoTheEarliestStart() throws {
        let early = [sample(intended: 100, service: 10), sample(intended: 1500, service: 20)]
        let late = [sample(intended: 200, service: 30, outcome: .status(503)), sample(intended: 4100, service: 40)]
        let merged = try RunResult.merging([
            RunResult(metadata: metadata(startedAt: "2026-03-01T12:00:03Z", target: "http://b/", pacing: "constant 50/s"),
                      statistics: statistics(late)),
            RunResult(metadata: metadata(startedAt: "2026-03-01T12:00:00Z", target: "http://a/"), statistics: statistics(early)),
        ])
        let rebased = late.map { sample(intended: $0.intended.wholeMicroseconds.milliseconds + 3000,
                                       service: ($0.completed - $0.intended).wholeMicroseconds.milliseconds, outcome: $0.outcome) }
        #expect(merged.statistics == statistics(early + rebased))
        #expect(merged.statistics.intendedSpan == OffsetSpan(firstMicroseconds: 100_000, lastMicroseconds: 7_100_000))
        #expect(merged.metadata.startedAt == Timestamp(rfc3339: "2026-03-01T12:00:00Z"))
        #expect(merged.metadata.target == "http://b/, http://a/")
        #expect(merged.metadata.pacing == "constant 50/s, constant 100/s (uniform)")
    }

    @Test func mergingNothingOrFarApartRunsFails() {
        #expect {
            try RunResult.merging([])
        } throws: { error in
            (error as? ReportError)?.description == "merge: no results to merge"
        }
        let runs = ["2026-03-01T00:00:00Z", "2026-03-09T00:00:00Z"].map {
            RunResult(metadata: metadata(startedAt: $0), statistics: RunStatistics())
        }
        #expect(throws: ReportError.self) { try RunResult.merging(runs) }
    }

    /// The seed survives the JSON file and a merge of shards that shared it,
    /// and is dropped (not picked) when they did not.
    @Test func theSeedIsKeptWhereItStillRepeatsTheRun() throws {
        func run(seed: UInt64?) -> RunResult {
            var metadata = metadata()
            metadata.seed = seed
            return RunResult(metadata: metadata, statistics: RunStatistics())
        }
        let seeded = run(seed: 42)
        #expect(try RunResult(jsonBytes: try seeded.jsonBytes(), source: "r.json").metadata.seed == 42)
        #expect(try RunResult.merging([seeded, run(seed: 42)]).metadata.seed == 42)
        #expect(try RunResult.merging([seeded, run(seed: 7)]).metadata.seed == nil)
        #expect(try RunResult.merging([seeded, run(seed: nil)]).metadata.seed == nil)
        // Files written before the seed was kept still read.
        let old = try String(decoding: run(seed: nil).jsonBytes(), as: UTF8.self)
        #expect(!old.contains("seed"))
        #expect(try RunResult(jsonBytes: Array(old.utf8), source: "old.json").metadata.seed == nil)
    }

    /// Storm series survive the file, add up second by second across shards
    /// (placed by their start), and are dropped when a shard has none.
    @Test func stormSeriesRoundTripAndMerge() throws {
        func run(_ startedAt: String, _ arrivals: [Int], _ events: [Int]) -> RunResult {
            RunResult(metadata: metadata(startedAt: startedAt), statistics: RunStatistics(),
                      storm: StormSeries(arrivalsPerSecond: arrivals, eventsPerSecond: events))
        }
        let first = run("2026-03-01T12:00:00Z", [1, 2], [3, 4])
        #expect(try RunResult(jsonBytes: try first.jsonBytes(), source: "s.json") == first)
        let merged = try RunResult.merging([first, run("2026-03-01T12:00:01Z", [10, 20], [30, 40])])
        #expect(merged.storm == StormSeries(arrivalsPerSecond: [1, 12, 20], eventsPerSecond: [3, 34, 40]))
        let replay = RunResult(metadata: metadata(), statistics: RunStatistics())
        #expect(try RunResult.merging([first, replay]).storm == nil)
        #expect(!String(decoding: try replay.jsonBytes(), as: UTF8.self).contains("storm"))
    }

    @Test func mergingWithAClosedLoopShardHasNoTargetRate() throws {
        let runs = [metadata(targetRate: 10), metadata(targetRate: nil)].map { RunResult(metadata: $0, statistics: RunStatistics()) }
        #expect(try RunResult.merging(runs).metadata.targetRate == nil)
    }
}

private extension Int64 {
    var milliseconds: Double { Double(self) / 1000 }
}
