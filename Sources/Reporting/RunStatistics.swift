import Primitives

/// The earliest and latest of a set of offsets from the run's origin, in microseconds.
public struct OffsetSpan: Sendable, Codable, Equatable {
    public internal(set) var firstMicroseconds: Int64
    public internal(set) var lastMicroseconds: Int64

    init(firstMicroseconds: Int64, lastMicroseconds: Int64) {
        self.firstMicroseconds = firstMicroseconds
        self.lastMicroseconds = lastMicroseconds
    }

    public var first: Duration { .microseconds(firstMicroseconds) }
    public var last: Duration { .microseconds(lastMicroseconds) }

    /// `span` widened to hold `microseconds` (or made from it).
    @inline(__always)
    static func including(_ microseconds: Int64, in span: OffsetSpan?) -> OffsetSpan {
        guard let span else { return OffsetSpan(firstMicroseconds: microseconds, lastMicroseconds: microseconds) }
        return OffsetSpan(firstMicroseconds: min(span.firstMicroseconds, microseconds),
                          lastMicroseconds: max(span.lastMicroseconds, microseconds))
    }

    static func union(_ left: OffsetSpan?, _ right: OffsetSpan?) -> OffsetSpan? {
        guard let left else { return right }
        guard let right else { return left }
        return OffsetSpan(firstMicroseconds: min(left.firstMicroseconds, right.firstMicroseconds),
                          lastMicroseconds: max(left.lastMicroseconds, right.lastMicroseconds))
    }

    func shifted(by microseconds: Int64) -> OffsetSpan {
        OffsetSpan(firstMicroseconds: firstMicroseconds + microseconds, lastMicroseconds: lastMicroseconds + microseconds)
    }

    enum CodingKeys: String, CodingKey {
        case firstMicroseconds = "first_us"
        case lastMicroseconds = "last_us"
    }
}

/// Everything measured in one run: three histograms, counts, byte totals, the
/// span of each kind of instant, and per-second series.
///
/// Each event loop or task keeps its own value and records into it without
/// locks; the values are merged at the end. `record` does not allocate except
/// when a new second or status code first appears. `merge` is exact: merging the
/// statistics of two sample sets equals recording both sets into one.
public struct RunStatistics: Sendable, Codable, Equatable {
    /// completed - intended: latency from the schedule.
    public private(set) var latency = LatencyHistogram()
    /// completed - sent.
    public private(set) var serviceTime = LatencyHistogram()
    /// sent - intended.
    public private(set) var scheduleLag = LatencyHistogram()
    /// Samples recorded.
    public private(set) var requests = 0
    /// Responses by HTTP status.
    public private(set) var statusCounts: [Int: Int] = [:]
    /// Requests that got no response, by cause.
    public private(set) var errorCounts: [ErrorClass: Int] = [:]
    public private(set) var bytesSent: Int64 = 0
    public private(set) var bytesReceived: Int64 = 0
    /// Scheduled send times; nil when nothing was recorded (as for the other spans).
    public private(set) var intendedSpan: OffsetSpan?
    public private(set) var sentSpan: OffsetSpan?
    public private(set) var completedSpan: OffsetSpan?
    private var scheduledSeries = SecondSeries(empty: ScheduledSecond())
    private var completedSeries = SecondSeries(empty: CompletedSecond())

    public init() {}

    /// Second `i` holds the requests whose intended send time lies in [i s, i+1 s) from the origin.
    public var scheduledPerSecond: [ScheduledSecond] { scheduledSeries.seconds }
    /// Second `i` holds the requests that completed in [i s, i+1 s) from the origin.
    public var completedPerSecond: [CompletedSecond] { completedSeries.seconds }

    /// Responses without a 2xx status plus transport errors.
    public var failedRequests: Int {
        errorCounts.values.reduce(0, +) + statusCounts.reduce(0) { $0 + ((200..<300).contains($1.key) ? 0 : $1.value) }
    }

    public mutating func record(_ sample: RequestSample) {
        let intended = sample.intended.wholeMicroseconds
        let sent = sample.sent.wholeMicroseconds
        let completed = sample.completed.wholeMicroseconds
        let latencyMicroseconds = completed &- intended
        latency.record(microseconds: latencyMicroseconds)
        serviceTime.record(microseconds: completed &- sent)
        scheduleLag.record(microseconds: sent &- intended)
        requests += 1
        bytesSent += Int64(sample.bytesSent)
        bytesReceived += Int64(sample.bytesReceived)
        intendedSpan = OffsetSpan.including(intended, in: intendedSpan)
        sentSpan = OffsetSpan.including(sent, in: sentSpan)
        completedSpan = OffsetSpan.including(completed, in: completedSpan)

        let scheduledIndex = scheduledSeries.index(growingTo: intended)
        scheduledSeries.seconds[scheduledIndex].scheduled += 1
        scheduledSeries.seconds[scheduledIndex].latencyHistogram.record(microseconds: latencyMicroseconds)

        let completedIndex = completedSeries.index(growingTo: completed)
        completedSeries.seconds[completedIndex].completed += 1
        completedSeries.seconds[completedIndex].bytesReceived += Int64(sample.bytesReceived)
        switch sample.outcome {
        case .status(let code):
            statusCounts[code, default: 0] += 1
            if sample.outcome.isSuccess {
                completedSeries.seconds[completedIndex].succeeded += 1
            } else {
                completedSeries.seconds[completedIndex].failedStatus += 1
            }
        case .error(let errorClass):
            errorCounts[errorClass, default: 0] += 1
            completedSeries.seconds[completedIndex].transportErrors += 1
        }
    }

    /// Adds `other` (a part of the same run, same origin) exactly.
    public mutating func merge(_ other: RunStatistics) {
        merge(other, originDelayMicroseconds: 0)
    }

    /// Adds `other`, whose origin lies `delay` microseconds after this one's: its
    /// offsets move by `delay`, its seconds by `delay` rounded to whole seconds.
    mutating func merge(_ other: RunStatistics, originDelayMicroseconds delay: Int64) {
        latency.merge(other.latency)
        serviceTime.merge(other.serviceTime)
        scheduleLag.merge(other.scheduleLag)
        requests += other.requests
        statusCounts.merge(other.statusCounts, uniquingKeysWith: +)
        errorCounts.merge(other.errorCounts, uniquingKeysWith: +)
        bytesSent += other.bytesSent
        bytesReceived += other.bytesReceived
        intendedSpan = OffsetSpan.union(intendedSpan, other.intendedSpan?.shifted(by: delay))
        sentSpan = OffsetSpan.union(sentSpan, other.sentSpan?.shifted(by: delay))
        completedSpan = OffsetSpan.union(completedSpan, other.completedSpan?.shifted(by: delay))
        let secondShift = Int((delay + 500_000) / 1_000_000)
        scheduledSeries.merge(other.scheduledSeries, shiftedBy: secondShift) { $0.merge($1) }
        completedSeries.merge(other.completedSeries, shiftedBy: secondShift) { $0.merge($1) }
    }

    // MARK: Codable

    enum CodingKeys: String, CodingKey {
        case requests
        case statusCounts = "status_counts"
        case errorCounts = "error_counts"
        case bytesSent = "bytes_sent"
        case bytesReceived = "bytes_received"
        case intendedSpan = "intended"
        case sentSpan = "sent"
        case completedSpan = "completed"
        case latency
        case serviceTime = "service_time"
        case scheduleLag = "schedule_lag"
        case scheduledPerSecond = "scheduled_per_second"
        case completedPerSecond = "completed_per_second"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func corrupt(_ key: CodingKeys, _ reason: String) -> DecodingError {
            .dataCorruptedError(forKey: key, in: container, debugDescription: reason)
        }
        requests = try container.decode(Int.self, forKey: .requests)
        for (text, count) in try container.decode([String: Int].self, forKey: .statusCounts) {
            guard let code = Int(text) else { throw corrupt(.statusCounts, "'\(text)' is not an HTTP status") }
            guard count >= 0 else { throw corrupt(.statusCounts, "count for \(code) is negative") }
            if count > 0 { statusCounts[code] = count }
        }
        for (text, count) in try container.decode([String: Int].self, forKey: .errorCounts) {
            guard let errorClass = ErrorClass(rawValue: text) else {
                throw corrupt(.errorCounts, "unknown error class '\(text)' (expected \(ErrorClass.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            guard count >= 0 else { throw corrupt(.errorCounts, "count for \(text) is negative") }
            if count > 0 { errorCounts[errorClass] = count }
        }
        bytesSent = try container.decode(Int64.self, forKey: .bytesSent)
        bytesReceived = try container.decode(Int64.self, forKey: .bytesReceived)
        intendedSpan = try container.decodeIfPresent(OffsetSpan.self, forKey: .intendedSpan)
        sentSpan = try container.decodeIfPresent(OffsetSpan.self, forKey: .sentSpan)
        completedSpan = try container.decodeIfPresent(OffsetSpan.self, forKey: .completedSpan)
        latency = try container.decode(LatencyHistogram.self, forKey: .latency)
        serviceTime = try container.decode(LatencyHistogram.self, forKey: .serviceTime)
        scheduleLag = try container.decode(LatencyHistogram.self, forKey: .scheduleLag)
        scheduledSeries.seconds = try container.decode([ScheduledSecond].self, forKey: .scheduledPerSecond)
        completedSeries.seconds = try container.decode([CompletedSecond].self, forKey: .completedPerSecond)

        // Every sample lands in each histogram and series once; anything else is a damaged file.
        let tallies: [(String, Int, CodingKeys)] = [
            ("the latency histogram", latency.count, .latency),
            ("the service time histogram", serviceTime.count, .serviceTime),
            ("the schedule lag histogram", scheduleLag.count, .scheduleLag),
            ("status and error counts", statusCounts.values.reduce(0, +) + errorCounts.values.reduce(0, +), .statusCounts),
            ("scheduled_per_second", scheduledSeries.seconds.reduce(0) { $0 + $1.scheduled }, .scheduledPerSecond),
            ("completed_per_second", completedSeries.seconds.reduce(0) { $0 + $1.completed }, .completedPerSecond),
        ]
        for (name, tally, key) in tallies where tally != requests {
            throw corrupt(key, "requests is \(requests) but \(name) count \(tally)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(requests, forKey: .requests)
        try container.encode(Dictionary(uniqueKeysWithValues: statusCounts.map { (String($0.key), $0.value) }), forKey: .statusCounts)
        try container.encode(Dictionary(uniqueKeysWithValues: errorCounts.map { ($0.key.rawValue, $0.value) }), forKey: .errorCounts)
        try container.encode(bytesSent, forKey: .bytesSent)
        try container.encode(bytesReceived, forKey: .bytesReceived)
        try container.encodeIfPresent(intendedSpan, forKey: .intendedSpan)
        try container.encodeIfPresent(sentSpan, forKey: .sentSpan)
        try container.encodeIfPresent(completedSpan, forKey: .completedSpan)
        try container.encode(latency, forKey: .latency)
        try container.encode(serviceTime, forKey: .serviceTime)
        try container.encode(scheduleLag, forKey: .scheduleLag)
        try container.encode(scheduledSeries.seconds, forKey: .scheduledPerSecond)
        try container.encode(completedSeries.seconds, forKey: .completedPerSecond)
    }
}
