import Foundation
import Primitives
import Testing
@testable import Reporting

@Suite struct LatencyHistogramTests {
    /// 1...1000 µs once each: percentiles are exact in the 1 µs-resolution range.
    @Test(arguments: [(50.0, 500), (90, 900), (99, 990), (99.9, 999), (100, 1000), (0, 1)])
    func percentilesOfAUniformSet(percentile: Double, expectedMicroseconds: Int64) {
        var histogram = LatencyHistogram()
        for value in 1...1000 { histogram.record(.microseconds(value)) }
        #expect(histogram.percentile(percentile) == .microseconds(expectedMicroseconds))
    }

    @Test func summaryValuesOfAKnownSet() {
        var histogram = LatencyHistogram()
        for value in [100, 200, 300, 400, 5000] { histogram.record(.microseconds(value)) }
        #expect(histogram.count == 5)
        #expect(histogram.min == .microseconds(100))
        #expect(histogram.max == .microseconds(5000))
        #expect(abs(Double(histogram.mean.wholeMicroseconds) - 1200) <= 1.2)
        #expect(histogram.percentile(50) == .microseconds(300))
    }

    @Test func millisecondValuesKeepThreeSignificantDigits() {
        var histogram = LatencyHistogram()
        histogram.record(.milliseconds(312.4))
        let p50 = Double(histogram.percentile(50).wholeMicroseconds)
        #expect(abs(p50 - 312_400) / 312_400 < 0.001)
    }

    @Test func valuesBeyondTheRangeAreClampedNotLost() {
        var histogram = LatencyHistogram()
        histogram.record(.seconds(2 * 3600))
        histogram.record(.milliseconds(-5))
        #expect(histogram.count == 2)
        #expect(histogram.min == .zero)
        #expect(abs(Double(histogram.max.wholeMicroseconds) - 3_600_000_000) / 3_600_000_000 < 0.001)
    }

    @Test func emptyHistogramReportsZeros() {
        let histogram = LatencyHistogram()
        #expect(histogram.count == 0)
        #expect(histogram.percentile(99) == .zero)
        #expect(histogram.mean == .zero)
        #expect(histogram.max == .zero)
    }

    @Test func sparseJSONHoldsOnlyHitBucketsAndRoundTripsEqual() throws {
        var histogram = LatencyHistogram()
        for value in [5, 5, 5, 1500, 250_000, 250_001, 3_000_000] { histogram.record(.microseconds(value)) }
        let data = try JSONEncoder().encode(histogram)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["digits"] as? Int == 3)
        #expect(object["unit"] as? String == "us")
        let counts = try #require(object["counts"] as? [[Int]])
        #expect(counts.count == 4)
        #expect(counts.first == [5, 3])
        #expect(object["min"] as? Int == 5)
        #expect(object["max"] as? Int == 3_000_000)
        #expect(data.count < 200)
        let decoded = try JSONDecoder().decode(LatencyHistogram.self, from: data)
        #expect(decoded == histogram)
        for p in [0, 50, 90, 99, 99.9, 100] { #expect(decoded.percentile(p) == histogram.percentile(p)) }
        #expect(decoded.min == histogram.min)
        #expect(decoded.max == .microseconds(3_000_000))
    }

    /// Extremes sharing a bucket (5000 and 5001 are one bucket at 3 digits) survive JSON.
    @Test func extremesInOneBucketRoundTrip() throws {
        var histogram = LatencyHistogram()
        for value in [5001, 5000, 5001] { histogram.record(.microseconds(value)) }
        let decoded = try JSONDecoder().decode(LatencyHistogram.self, from: JSONEncoder().encode(histogram))
        #expect(decoded == histogram)
        #expect(decoded.min == .microseconds(5000))
        #expect(decoded.max == .microseconds(5001))
    }

    @Test func mergeEqualsRecordingEverythingIntoOne() {
        var left = LatencyHistogram(), right = LatencyHistogram(), both = LatencyHistogram()
        for value in stride(from: 1, to: 2_000_000, by: 7919) {
            let duration = Duration.microseconds(value)
            if value % 3 == 0 { left.record(duration) } else { right.record(duration) }
            both.record(duration)
        }
        left.merge(right)
        #expect(left == both)
        #expect(left != LatencyHistogram())
    }

    @Test(arguments: [
        (#"{"counts":[[10,1]],"digits":2,"max":10,"min":10,"unit":"us"}"#, "histogram has 2 significant digits, expected 3"),
        (#"{"counts":[[10,1]],"digits":3,"max":10,"min":10,"unit":"ms"}"#, "unit is 'ms', expected 'us'"),
        (#"{"counts":[[10]],"digits":3,"max":10,"min":10,"unit":"us"}"#, "counts[0] is not a [value, count] pair"),
        (#"{"counts":[[10,0]],"digits":3,"max":10,"min":10,"unit":"us"}"#, "counts[0]: count 0 is out of range"),
        (#"{"counts":[[99999999999,1]],"digits":3,"max":10,"min":10,"unit":"us"}"#, "counts[0]: value 99999999999 is above the range (3600000000 us)"),
        (#"{"counts":[[10,1]],"digits":3,"max":20,"min":10,"unit":"us"}"#, "min 10 and max 20 do not lie in the lowest and highest buckets of counts"),
    ])
    func malformedSparseHistogramsAreRejected(json: String, reason: String) {
        #expect {
            try JSONDecoder().decode(LatencyHistogram.self, from: Data(json.utf8))
        } throws: { error in
            guard case .dataCorrupted(let context) = error as? DecodingError else { return false }
            return context.debugDescription == reason
        }
    }
}
