import EventModel

/// Which shards of a sharded run a merged result holds.
public struct ShardCoverage: Sendable, Codable, Equatable {
    /// The run's shard count.
    public var count: Int
    /// The shards merged, ascending.
    public var indices: [Int]

    public init(count: Int, indices: [Int]) {
        self.count = count
        self.indices = indices.sorted()
    }

    /// The shards not held, ascending.
    public var missing: [Int] {
        let held = Set(indices)
        return (0..<count).filter { !held.contains($0) }
    }

    public var isComplete: Bool { missing.isEmpty }

    /// `0, 1, 3 of 4 (missing 2)`, for reports.
    public var summary: String {
        let held = indices.map(String.init).joined(separator: ", ")
        let gap = missing.isEmpty ? "" : " (missing \(missing.map(String.init).joined(separator: ", ")))"
        return "\(held) of \(count)\(gap)"
    }

    enum CodingKeys: String, CodingKey { case count, indices, missing }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(count: try container.decode(Int.self, forKey: .count), indices: try container.decode([Int].self, forKey: .indices))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(count, forKey: .count)
        try container.encode(indices, forKey: .indices)
        try container.encode(missing, forKey: .missing)
    }

    /// The shards `results` hold together, checked: nil when none is sharded.
    /// - Throws: `shardMismatch` for different counts, a shard held twice or
    ///   sharded and unsharded results together; `missingShards` for a gap,
    ///   unless `allowsMissing`.
    init?(of results: [RunResult], sources: [String], allowsMissing: Bool) throws(ReportError) {
        let sharded = zip(sources, results).compactMap { source, result in
            result.metadata.shardIndices.map { (source: source, indices: $0.indices, count: $0.count) }
        }
        guard let first = sharded.first else { return nil }
        if sharded.count < results.count, let unsharded = zip(sources, results).first(where: { $0.1.metadata.shard == nil && $0.1.metadata.shards == nil }) {
            throw ReportError(.shardMismatch, source: "merge",
                              reason: "\(first.source) is a shard of a sharded run but \(unsharded.0) is not")
        }
        if let other = sharded.first(where: { $0.count != first.count }) {
            throw ReportError(.shardMismatch, source: "merge",
                              reason: "shard counts differ: \(first.source) is one of \(first.count) shards, \(other.source) one of \(other.count)")
        }
        var holder: [Int: String] = [:]
        for result in sharded {
            for index in result.indices {
                if let earlier = holder.updateValue(result.source, forKey: index) {
                    throw ReportError(.shardMismatch, source: "merge",
                                      reason: "shard \(index) of \(first.count) is given twice: \(earlier) and \(result.source)")
                }
            }
        }
        self.init(count: first.count, indices: Array(holder.keys))
        if !allowsMissing, !isComplete {
            let names = missing.map(String.init).joined(separator: ", ")
            throw ReportError(.missingShards, source: "merge",
                              reason: "shard\(missing.count == 1 ? "" : "s") \(names) of \(count) missing")
        }
    }
}
