import EventModel
import Testing
@testable import Reporting

/// Merging the results of a sharded run checks that the set is one run's:
/// one shard count, each shard once, none missing unless asked.
@Suite struct ShardMergeTests {
    private func shardResult(_ index: Int?, of count: Int, requests: Int = 3) throws -> RunResult {
        var meta = metadata()
        meta.shard = try index.map { try Shard(index: $0, count: count) }
        return RunResult(metadata: meta, statistics: statistics((0..<requests).map { sample(intended: Double($0) * 10, service: 2) }))
    }

    private func mergeError(_ results: [RunResult], partial: Bool = false) -> ReportError? {
        do {
            _ = try RunResult.merging(results, sources: results.indices.map { "s\($0).json" }, allowsMissingShards: partial)
            return nil
        } catch {
            return error
        }
    }

    @Test func allShardsMergeIntoOneCompleteResult() throws {
        let results = try (0..<4).map { try shardResult($0, of: 4, requests: $0 + 1) }
        let merged = try RunResult.merging(results)
        #expect(merged.statistics.requests == 1 + 2 + 3 + 4)
        #expect(merged.metadata.shard == nil)
        #expect(merged.metadata.shards == ShardCoverage(count: 4, indices: [0, 1, 2, 3]))
        #expect(merged.metadata.shards?.isComplete == true)
        // The merged result round-trips with what it holds.
        let text = String(decoding: try merged.jsonBytes(), as: UTF8.self)
        #expect(text.contains(#""shards":{"count":4,"indices":[0,1,2,3],"missing":[]}"#), "\(text.prefix(400))")
        #expect(try RunResult(jsonBytes: try merged.jsonBytes(), source: "m.json") == merged)
    }

    @Test func aMissingShardIsNamedAndAPartialMergeSaysWhatItHolds() throws {
        let results = try [0, 1, 3].map { try shardResult($0, of: 4) }
        let error = try #require(mergeError(results))
        #expect(error.code == .missingShards)
        #expect(error.description == "merge: shard 2 of 4 missing")
        let partial = try RunResult.merging(results, allowsMissingShards: true)
        #expect(partial.metadata.shards?.missing == [2])
        #expect(partial.metadata.shards?.summary == "0, 1, 3 of 4 (missing 2)")
        #expect(TextReport().render(partial).contains("0, 1, 3 of 4 (missing 2)"))
        // The gap filled later: a partial merge and the missing shard make the whole run.
        let whole = try RunResult.merging([partial, try shardResult(2, of: 4)])
        #expect(whole.metadata.shards?.isComplete == true)
        #expect(whole.statistics.requests == 12)
    }

    /// Shards check `--abort-on` each on its own: the merge keeps the mark
    /// that came first in wall-clock time, whatever the order given.
    @Test func aMergeKeepsTheEarliestAbortMark() throws {
        var early = try shardResult(0, of: 3)
        early.metadata.startedAt = Timestamp(microsecondsSinceEpoch: early.metadata.startedAt.microsecondsSinceEpoch + 2_000_000)
        early.metadata.aborted = RunAbort(threshold: "errors>5%", measurement: "errors were 9%", second: 12)
        var late = try shardResult(1, of: 3)
        late.metadata.aborted = RunAbort(threshold: "p99>1s", measurement: "p99 was 2s", second: 15)
        let unmarked = try shardResult(2, of: 3)
        for order in [[late, early, unmarked], [unmarked, early, late]] {
            #expect(try RunResult.merging(order).metadata.aborted == early.metadata.aborted)
        }
        #expect(try RunResult.merging([unmarked, try shardResult(0, of: 3), try shardResult(1, of: 3)]).metadata.aborted == nil)
    }

    @Test func aShardGivenTwiceIsRefused() throws {
        let error = try #require(mergeError([try shardResult(0, of: 2), try shardResult(1, of: 2), try shardResult(1, of: 2)]))
        #expect(error.code == .shardMismatch)
        #expect(error.description == "merge: shard 1 of 2 is given twice: s1.json and s2.json")
    }

    @Test func shardsOfDifferentCountsAreRefused() throws {
        let error = try #require(mergeError([try shardResult(0, of: 2), try shardResult(1, of: 3)]))
        #expect(error.code == .shardMismatch)
        #expect(error.description == "merge: shard counts differ: s0.json is one of 2 shards, s1.json one of 3")
    }

    @Test func shardedAndUnshardedResultsAreNotMergedTogether() throws {
        let error = try #require(mergeError([try shardResult(0, of: 1), try shardResult(nil, of: 1)]))
        #expect(error.description == "merge: s0.json is a shard of a sharded run but s1.json is not")
    }

    @Test func unshardedResultsMergeAsBefore() throws {
        let merged = try RunResult.merging([try shardResult(nil, of: 1), try shardResult(nil, of: 1)])
        #expect(merged.metadata.shards == nil)
        #expect(merged.statistics.requests == 6)
    }

    @Test func aShardsReportSaysWhichShardItIs() throws {
        #expect(TextReport().render(try shardResult(2, of: 4)).contains("2 of 4"))
    }
}
