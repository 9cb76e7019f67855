import Primitives

/// The requests scheduled in one second of the run (by their intended send time).
public struct ScheduledSecond: Sendable, Codable, Equatable {
    public internal(set) var scheduled = 0
    var latencyHistogram = IntervalHistogram()


    /// Latency (from schedule) of this second's requests at percentile `p`, 2 significant digits.
    public func latency(atPercentile p: Double) -> Duration { latencyHistogram.percentile(p) }
    public var maxLatency: Duration { latencyHistogram.max }

    mutating func merge(_ other: ScheduledSecond) {
        scheduled += other.scheduled
        latencyHistogram.merge(other.latencyHistogram)
    }

    enum CodingKeys: String, CodingKey {
        case scheduled
        case latencyHistogram = "latency"
    }
}

/// The requests that completed in one second of the run.
public struct CompletedSecond: Sendable, Codable, Equatable {
    public internal(set) var completed = 0
    /// 2xx responses.
    public internal(set) var succeeded = 0
    /// Responses with any other status.
    public internal(set) var failedStatus = 0
    /// Timeouts, refused or reset connections and other transport errors.
    public internal(set) var transportErrors = 0
    public internal(set) var bytesReceived: Int64 = 0


    mutating func merge(_ other: CompletedSecond) {
        completed += other.completed
        succeeded += other.succeeded
        failedStatus += other.failedStatus
        transportErrors += other.transportErrors
        bytesReceived += other.bytesReceived
    }

    enum CodingKeys: String, CodingKey {
        case completed, succeeded
        case failedStatus = "failed_status"
        case transportErrors = "transport_errors"
        case bytesReceived = "bytes_received"
    }
}

/// Per-second buckets indexed by whole seconds from the run's origin; memory grows
/// with the run's length, never with its request count.
struct SecondSeries<Second: Sendable & Codable & Equatable>: Sendable, Equatable {
    var seconds: [Second] = []
    private let empty: Second

    init(empty: Second) { self.empty = empty }

    /// The index of the second holding `microseconds`, growing the series to reach it
    /// (offsets before the origin count in second 0).
    @inline(__always)
    mutating func index(growingTo microseconds: Int64) -> Int {
        let index = Int(Swift.max(microseconds, 0) / 1_000_000)
        if index >= seconds.count { seconds.append(contentsOf: repeatElement(empty, count: index + 1 - seconds.count)) }
        return index
    }

    /// Adds `other`'s buckets, `other`'s second 0 landing on `shift`.
    mutating func merge(_ other: SecondSeries, shiftedBy shift: Int, combine: (inout Second, Second) -> Void) {
        let needed = shift + other.seconds.count
        if needed > seconds.count { seconds.append(contentsOf: repeatElement(empty, count: needed - seconds.count)) }
        for (index, second) in other.seconds.enumerated() { combine(&seconds[shift + index], second) }
    }

    static func == (lhs: SecondSeries, rhs: SecondSeries) -> Bool {
        // Trailing empty seconds carry nothing, so they do not make two series differ.
        let count = Swift.max(lhs.seconds.count, rhs.seconds.count)
        for index in 0..<count {
            let left = index < lhs.seconds.count ? lhs.seconds[index] : lhs.empty
            let right = index < rhs.seconds.count ? rhs.seconds[index] : rhs.empty
            if left != right { return false }
        }
        return true
    }
}
