import Histogram
import Primitives

/// A latency distribution in microseconds with 3 significant digits (HdrHistogram):
/// percentiles are within 0.1 % of the true value; min and max are exact.
///
/// The range is fixed (0 µs to 1 h) so `record` never allocates; longer values
/// are clamped to 1 h rather than dropped, so every sample is counted.
/// It encodes sparsely (see `SparseHistogram`): a run's JSON holds only the
/// buckets that were hit, and decoding gives back an equal histogram, so merging
/// decoded results is exact.
public struct LatencyHistogram: Sendable, Codable, Equatable {
    /// Values above this (one hour, in microseconds) are recorded as this.
    public static let highestTrackableMicroseconds: UInt64 = 3_600_000_000
    static let significantDigits = SignificantDigits.three

    private(set) var storage: Histogram<UInt64>

    public init() {
        storage = Histogram(highestTrackableValue: Self.highestTrackableMicroseconds,
                            numberOfSignificantValueDigits: Self.significantDigits)
    }

    public mutating func record(_ duration: Duration) {
        record(microseconds: duration.wholeMicroseconds)
    }

    @inline(__always)
    mutating func record(microseconds: Int64) {
        storage.record(clampedMicroseconds(microseconds))
    }

    /// Adds `other`'s counts: the result is what recording both sample sets into one would give.
    public mutating func merge(_ other: LatencyHistogram) {
        storage.add(other.storage)
    }

    public var count: Int { Int(storage.totalCount) }

    /// Same counts and the same exact extremes (HdrHistogram's own == compares the extremes' buckets only).
    public static func == (lhs: LatencyHistogram, rhs: LatencyHistogram) -> Bool {
        lhs.storage == rhs.storage && lhs.storage.min == rhs.storage.min && lhs.storage.maxRecorded == rhs.storage.maxRecorded
    }

    /// The value at percentile `p` (0...100, clamped); zero when empty.
    public func percentile(_ p: Double) -> Duration {
        .microseconds(storage.valueAtPercentile(Swift.min(Swift.max(p, 0), 100)))
    }

    /// The exact smallest value recorded (after clamping), zero when empty.
    public var min: Duration { .microseconds(storage.min) }
    /// The exact largest value recorded (after clamping), zero when empty.
    public var max: Duration { .microseconds(storage.maxRecorded) }
    public var mean: Duration { .nanoseconds(Int64((storage.mean * 1000).rounded())) }

    /// Percentile levels and their values as HdrHistogram reports them (5 ticks per
    /// half distance), excluding the final 100 % level; for spectrum plots.
    func percentileSpectrum() -> [(percentile: Double, value: Duration)] {
        storage.percentiles(ticksPerHalfDistance: 5)
            .filter { $0.percentileLevelIteratedTo < 100 }
            .map { ($0.percentileLevelIteratedTo, .microseconds($0.value)) }
    }

    public init(from decoder: any Decoder) throws {
        self.init()
        try SparseHistogram(from: decoder).add(into: &storage, digits: Self.significantDigits, codingPath: decoder.codingPath)
    }

    public func encode(to encoder: any Encoder) throws {
        try SparseHistogram(storage).encode(to: encoder)
    }
}

/// The latency of one second's requests: 2 significant digits (HdrHistogram) so
/// that a long run's per-second histograms stay a few KB each. Storage is made on
/// the first sample and grows to the largest value seen, so empty seconds cost nothing.
struct IntervalHistogram: Sendable, Codable, Equatable {
    static let significantDigits = SignificantDigits.two

    private var storage: Histogram<UInt32>?

    init() {}

    @inline(__always)
    mutating func record(microseconds: Int64) {
        if storage == nil { storage = Histogram(numberOfSignificantValueDigits: Self.significantDigits) }
        storage!.record(clampedMicroseconds(microseconds))
    }

    mutating func merge(_ other: IntervalHistogram) {
        guard let theirs = other.storage else { return }
        if storage == nil { storage = theirs } else { storage!.add(theirs) }
    }

    var count: Int { Int(storage?.totalCount ?? 0) }

    func percentile(_ p: Double) -> Duration {
        .microseconds(storage?.valueAtPercentile(Swift.min(Swift.max(p, 0), 100)) ?? 0)
    }

    var max: Duration { .microseconds(storage?.maxRecorded ?? 0) }

    static func == (lhs: IntervalHistogram, rhs: IntervalHistogram) -> Bool {
        switch (lhs.storage, rhs.storage) {
        case let (left?, right?): return left == right && left.min == right.min && left.maxRecorded == right.maxRecorded
        case let (left?, nil): return left.totalCount == 0
        case let (nil, right?): return right.totalCount == 0
        case (nil, nil): return true
        }
    }

    init(from decoder: any Decoder) throws {
        let sparse = try SparseHistogram(from: decoder)
        guard !sparse.counts.isEmpty else { return }
        var histogram = Histogram<UInt32>(numberOfSignificantValueDigits: Self.significantDigits)
        try sparse.add(into: &histogram, digits: Self.significantDigits, codingPath: decoder.codingPath)
        storage = histogram
    }

    func encode(to encoder: any Encoder) throws {
        try SparseHistogram(storage ?? Histogram<UInt32>(numberOfSignificantValueDigits: Self.significantDigits))
            .encode(to: encoder)
    }
}

/// A duration in microseconds as a histogram value: negatives (clock steps) are 0,
/// values beyond the range are the top of the range.
@inline(__always)
func clampedMicroseconds(_ microseconds: Int64) -> UInt64 {
    microseconds <= 0 ? 0 : Swift.min(UInt64(microseconds), LatencyHistogram.highestTrackableMicroseconds)
}

/// The JSON form of a histogram: only the buckets that were hit, as
/// `{"counts":[[value,count],...],"digits":3,"max":m,"min":n,"unit":"us"}`, each value
/// being the highest microsecond value of its bucket. `min` and `max` are the exact
/// extremes recorded: percentiles are clamped to them, so decoding needs them to
/// give back a histogram that answers every query identically.
struct SparseHistogram: Codable {
    /// The only unit written; stated in the JSON so readers need not guess.
    static let unit = "us"

    var digits: Int
    var unit: String
    var min: UInt64
    var max: UInt64
    var counts: [[UInt64]]

    init<Count>(_ histogram: Histogram<Count>) {
        digits = Int(histogram.numberOfSignificantValueDigits.rawValue)
        unit = Self.unit
        min = histogram.min
        max = histogram.maxRecorded
        counts = histogram.recordedValues().map { [$0.value, UInt64($0.count)] }
    }

    /// Records the buckets into `histogram`, which must have `digits` significant digits.
    func add<Count>(into histogram: inout Histogram<Count>, digits expected: SignificantDigits,
                    codingPath: [any CodingKey]) throws {
        func corrupt(_ reason: String) -> DecodingError {
            .dataCorrupted(.init(codingPath: codingPath, debugDescription: reason))
        }
        guard unit == Self.unit else { throw corrupt("unit is '\(unit)', expected '\(Self.unit)'") }
        guard digits == Int(expected.rawValue) else {
            throw corrupt("histogram has \(digits) significant digits, expected \(expected.rawValue)")
        }
        for (index, pair) in counts.enumerated() {
            guard pair.count == 2 else { throw corrupt("counts[\(index)] is not a [value, count] pair") }
            guard pair[0] <= LatencyHistogram.highestTrackableMicroseconds else {
                throw corrupt("counts[\(index)]: value \(pair[0]) is above the range (\(LatencyHistogram.highestTrackableMicroseconds) us)")
            }
            guard pair[1] > 0, let count = Count(exactly: pair[1]) else {
                throw corrupt("counts[\(index)]: count \(pair[1]) is out of range")
            }
            // The buckets holding the extremes are recorded at the extremes (one sample at
            // min, the rest at max when both share a bucket), restoring them exactly.
            let holdsMin = min > 0 && histogram.valuesAreEquivalent(pair[0], min)
            let holdsMax = histogram.valuesAreEquivalent(pair[0], max)
            var remaining = count
            if holdsMin {
                histogram.record(min, count: 1)
                remaining -= 1
            }
            if remaining > 0 { histogram.record(holdsMax ? max : holdsMin ? min : pair[0], count: remaining) }
        }
        guard histogram.min == min, histogram.maxRecorded == max else {
            throw corrupt("min \(min) and max \(max) do not lie in the lowest and highest buckets of counts")
        }
    }
}
