// Reporting: what a load run measured, and how people and machines read it.
//
// Design notes
// - Samples go into `RunStatistics` (one per event loop or task, no locks) and
//   are merged at the end; all offsets are microseconds from the run's origin,
//   whose wall-clock time is `RunMetadata.startedAt`.
// - Latency is measured from the scheduled send time (no coordinated omission);
//   service time and schedule lag are kept beside it.
// - Memory is flat per request: fixed-range histograms plus per-second buckets.
// - A `RunResult` is the unit of exchange: written as JSON by replay and storm,
//   read back by `hookreel report`, merged exactly across shards
//   (docs/reports.md describes the format).
// - Renderers are interchangeable: one type per output format behind `ReportRenderer`.
import EventModel
import Foundation

/// What was run, against what, and when.
public struct RunMetadata: Sendable, Codable, Equatable {
    /// "replay" or "storm".
    public var command: String
    /// The URL requests went to.
    public var target: String
    /// How requests were paced, for people: "constant 1000/s (uniform)", "max rate, closed loop with 64 concurrent".
    public var pacing: String
    /// Wall-clock time of the run's origin (offset zero).
    public var startedAt: Timestamp
    /// Planned requests per second; nil for a closed loop.
    public var targetRate: Double?
    /// Malformed input records that were skipped.
    public var skippedRecords: Int
    /// What the run's random choices came from (`--seed` repeats them); nil
    /// for merged results of different seeds and for results written before
    /// it was kept.
    public var seed: UInt64?
    /// The part of a sharded run this result measured; nil for an unsharded
    /// run and for merged results (which say what they hold in `shards`).
    public var shard: Shard?
    /// The shards a merged result holds; nil unless the merged results were sharded.
    public var shards: ShardCoverage?
    /// Set when an `--abort-on` threshold stopped the run; a merge keeps the
    /// earliest of its results' marks.
    public var aborted: RunAbort?

    public init(command: String, target: String, pacing: String, startedAt: Timestamp,
                targetRate: Double?, skippedRecords: Int, seed: UInt64? = nil, shard: Shard? = nil,
                shards: ShardCoverage? = nil, aborted: RunAbort? = nil) {
        self.command = command
        self.target = target
        self.pacing = pacing
        self.startedAt = startedAt
        self.targetRate = targetRate
        self.skippedRecords = skippedRecords
        self.seed = seed
        self.shard = shard
        self.shards = shards
        self.aborted = aborted
    }

    /// The shard indices this result measured, and of how many; nil when unsharded.
    var shardIndices: (indices: [Int], count: Int)? {
        if let shard { return ([shard.index], shard.count) }
        if let shards { return (shards.indices, shards.count) }
        return nil
    }

    enum CodingKeys: String, CodingKey {
        case command, target, pacing, seed, shard, shards, aborted
        case startedAt = "started_at"
        case targetRate = "target_rate"
        case skippedRecords = "skipped_records"
    }
}

/// One run's metadata and measurements: what `hookreel report` reads.
public struct RunResult: Sendable, Codable, Equatable {
    /// The JSON layout version written; readers refuse newer ones.
    public static let formatVersion = 1
    /// Results whose origins lie further apart than this are refused by `merging`:
    /// their per-second series would be mostly empty seconds.
    public static let maximumMergeSpread = Duration.seconds(7 * 86_400)

    public var metadata: RunMetadata
    public var statistics: RunStatistics
    /// A live storm's arrivals and events per second; nil for a replay.
    public var storm: StormSeries?
    /// The format version the result was read from (`formatVersion` for one made
    /// here): `RunComparison` compares only results of one version.
    public internal(set) var version = RunResult.formatVersion

    public init(metadata: RunMetadata, statistics: RunStatistics, storm: StormSeries? = nil) {
        self.metadata = metadata
        self.statistics = statistics
        self.storm = storm
    }

    /// (n - 1) / (last send - first send) in requests per second; 0 with fewer than
    /// 2 requests or when all were sent in the same microsecond.
    public var achievedRate: Double {
        guard statistics.requests >= 2, let sent = statistics.sentSpan, sent.lastMicroseconds > sent.firstMicroseconds
        else { return 0 }
        return Double(statistics.requests - 1) / (Double(sent.lastMicroseconds - sent.firstMicroseconds) / 1e6)
    }

    /// achievedRate / targetRate; nil without a (positive) target rate.
    public var achievedFractionOfTarget: Double? {
        // A rate needs two sends: with fewer there is nothing to compare.
        guard let target = metadata.targetRate, target > 0, statistics.requests > 1 else { return nil }
        return achievedRate / target
    }

    /// (transport errors + non-2xx responses) / requests; 0 without requests.
    public var errorRatio: Double {
        statistics.requests == 0 ? 0 : Double(statistics.failedRequests) / Double(statistics.requests)
    }

    /// From the earliest scheduled or actual send to the last completion; zero without requests.
    public var duration: Duration {
        guard let intended = statistics.intendedSpan, let sent = statistics.sentSpan, let completed = statistics.completedSpan
        else { return .zero }
        return .microseconds(completed.lastMicroseconds - min(intended.firstMicroseconds, sent.firstMicroseconds))
    }

    // MARK: JSON

    /// Compact JSON with sorted keys (stable output), ending in a newline.
    public func jsonBytes() throws(ReportError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return Array(try encoder.encode(self)) + [UInt8(ascii: "\n")]
        } catch {
            throw ReportError(.encodingFailed, source: metadata.target, reason: "cannot encode the result: \(error)")
        }
    }

    /// Decodes a result; `source` (the file name) starts every error message.
    public init(jsonBytes: [UInt8], source: String) throws(ReportError) {
        let data = Data(jsonBytes)
        let decoder = JSONDecoder()
        let version: Int
        do {
            version = try decoder.decode(VersionProbe.self, from: data).version
        } catch {
            throw ReportError.malformed(error, source: source)
        }
        guard version <= Self.formatVersion, version >= 1 else {
            throw ReportError(.unsupportedVersion, source: source,
                              reason: "result format version \(version) is not supported (this hookreel reads version \(Self.formatVersion))")
        }
        do {
            self = try decoder.decode(RunResult.self, from: data)
        } catch {
            throw ReportError.malformed(error, source: source)
        }
    }

    /// Reads and decodes the result file at `path`.
    public init(contentsOfFile path: String) throws(ReportError) {
        try self.init(jsonBytes: try ReportFile.contents(of: path), source: path)
    }

    /// Writes the JSON form to `path`, replacing it whole.
    public func write(toFile path: String) throws(ReportError) {
        try ReportFile.replace(path, with: try jsonBytes())
    }

    enum CodingKeys: String, CodingKey { case version, metadata, statistics, storm }

    private struct VersionProbe: Decodable { var version: Int }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try container.decode(Int.self, forKey: .version)
        metadata = try container.decode(RunMetadata.self, forKey: .metadata)
        statistics = try container.decode(RunStatistics.self, forKey: .statistics)
        storm = try container.decodeIfPresent(StormSeries.self, forKey: .storm)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.formatVersion, forKey: .version)
        try container.encode(metadata, forKey: .metadata)
        try container.encode(statistics, forKey: .statistics)
        try container.encodeIfPresent(storm, forKey: .storm)
    }

    // MARK: Merge

    /// Combines the results of shards into one, exactly: histograms added and counts
    /// summed. Offsets are rebased onto the earliest `startedAt`; per-second series
    /// move by the distance between origins rounded to whole seconds. Metadata:
    /// distinct commands, targets and pacings joined with ", ", target rates summed
    /// (nil if any shard had none), skipped records summed.
    ///
    /// Results of a sharded run must agree on the shard count and hold each
    /// shard once; a missing shard is refused unless `allowsMissingShards`, and
    /// the merged result's `shards` says which it holds.
    /// - Parameter sources: the results' file names, for error messages.
    public static func merging(_ results: [RunResult], sources: [String]? = nil,
                               allowsMissingShards: Bool = false) throws(ReportError) -> RunResult {
        let coverage = try ShardCoverage(of: results, sources: sources ?? results.indices.map { "result \($0 + 1)" },
                                         allowsMissing: allowsMissingShards)
        guard let origin = results.map(\.metadata.startedAt).min(),
              let latest = results.map(\.metadata.startedAt).max()
        else { throw ReportError(.nothingToMerge, source: "merge", reason: "no results to merge") }
        let spread = latest.microsecondsSinceEpoch - origin.microsecondsSinceEpoch
        guard Duration.microseconds(spread) <= maximumMergeSpread else {
            throw ReportError(.originsTooFarApart, source: "merge",
                              reason: "results started at \(origin) and \(latest), more than 7 days apart")
        }
        var statistics = RunStatistics()
        // Storm series add up when every shard has one, each placed at its
        // nearest whole second from the origin (as the per-second series are).
        var storm = results.allSatisfy { $0.storm != nil } ? StormSeries(arrivalsPerSecond: [], eventsPerSecond: []) : nil
        for result in results {
            let delay = result.metadata.startedAt.microsecondsSinceEpoch - origin.microsecondsSinceEpoch
            statistics.merge(result.statistics, originDelayMicroseconds: delay)
            if let series = result.storm { storm?.add(series, delaySeconds: Int((Double(delay) / 1e6).rounded())) }
        }
        let rates = results.map(\.metadata.targetRate)
        let metadata = RunMetadata(
            command: distinctJoined(results.map(\.metadata.command)),
            target: distinctJoined(results.map(\.metadata.target)),
            pacing: distinctJoined(results.map(\.metadata.pacing)),
            startedAt: origin,
            targetRate: rates.contains(nil) ? nil : rates.reduce(0) { $0 + ($1 ?? 0) },
            skippedRecords: results.reduce(0) { $0 + $1.metadata.skippedRecords },
            seed: Set(results.map(\.metadata.seed)).count == 1 ? results[0].metadata.seed : nil,
            shards: coverage,
            aborted: results.compactMap { result in
                result.metadata.aborted.map { (abort: $0, at: result.metadata.startedAt.microsecondsSinceEpoch + Int64($0.second) * 1_000_000) }
            }.min { $0.at < $1.at }?.abort)
        return RunResult(metadata: metadata, statistics: statistics, storm: storm)
    }

    private static func distinctJoined(_ values: [String]) -> String {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }.joined(separator: ", ")
    }
}
