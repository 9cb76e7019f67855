import Testing
@testable import Reporting

@Suite struct ThresholdTests {
    @Test(arguments: [
        ("p99>250ms", Threshold.Metric.percentile(99), Threshold.Comparison.greater, 250_000.0),
        ("p99.9>1s", .percentile(99.9), .greater, 1_000_000),
        ("p50>=20ms", .percentile(50), .greaterOrEqual, 20_000),
        ("mean>10ms", .mean, .greater, 10_000),
        ("max>2s", .max, .greater, 2_000_000),
        ("max>1.5m", .max, .greater, 90_000_000),
        ("p100<=500us", .percentile(100), .lessOrEqual, 500),
        ("p90 > 800µs", .percentile(90), .greater, 800),
        ("errors>0.5%", .errors, .greater, 0.5),
        ("rate<95%", .rate, .less, 95),
    ])
    func validThresholdsParse(text: String, metric: Threshold.Metric, comparison: Threshold.Comparison, limit: Double) throws {
        let threshold = try Threshold(parsing: text)
        #expect(threshold.metric == metric)
        #expect(threshold.comparison == comparison)
        #expect(threshold.limit == limit)
        #expect(threshold.description == text.replacingOccurrences(of: " ", with: ""))
    }

    @Test(arguments: [
        ("", "threshold '': empty; expected pN (such as p99 or p99.9), mean, max, errors or rate, then a comparison and a value, such as p99>250ms"),
        ("p99>>1s", "threshold 'p99>>1s': expected a value after '>'"),
        ("p99>", "threshold 'p99>': expected a value after '>'"),
        ("p99", "threshold 'p99': expected a comparison (>, >=, <, <=) after 'p99'"),
        ("p99=1s", "threshold 'p99=1s': expected a comparison (>, >=, <, <=) after 'p99'"),
        (">1s", "threshold '>1s': expected a metric before the comparison (expected pN (such as p99 or p99.9), mean, max, errors or rate)"),
        ("latency>1s", "threshold 'latency>1s': unknown metric 'latency' (expected pN (such as p99 or p99.9), mean, max, errors or rate)"),
        ("p>1s", "threshold 'p>1s': expected a percentile after 'p', such as p99"),
        ("p9x>1s", "threshold 'p9x>1s': 'p9x' is not a percentile (expected pN (such as p99 or p99.9), mean, max, errors or rate)"),
        ("p0>1s", "threshold 'p0>1s': percentile 0 is outside 0-100 (exclusive of 0)"),
        ("p101>1s", "threshold 'p101>1s': percentile 101 is outside 0-100 (exclusive of 0)"),
        ("p99>250", "threshold 'p99>250': expected a unit after '250' (us, ms, s, m or h), such as 250ms"),
        ("p99>250xs", "threshold 'p99>250xs': unknown unit 'xs' in '250xs' (expected us, ms, s, m or h)"),
        ("p99>5%", "threshold 'p99>5%': p99 takes a duration such as 250ms, not a percentage"),
        ("p99>1.2.3s", "threshold 'p99>1.2.3s': '1.2.3' is not a number"),
        ("errors>0.5", "threshold 'errors>0.5': errors takes a percentage such as 0.5%, got '0.5'"),
        ("rate<95ms", "threshold 'rate<95ms': rate takes a percentage such as 95%, got '95ms'"),
        ("errors>-1%", "threshold 'errors>-1%': expected a value after '>'"),
    ])
    func malformedThresholdsSayWhatIsWrong(text: String, message: String) {
        #expect {
            try Threshold(parsing: text)
        } throws: { error in
            (error as? ThresholdError)?.description == message
        }
    }

    /// 100 requests, latencies 1...100 ms (p99 ≈ 99 ms, max = 100 ms, mean ≈ 50.5 ms),
    /// 3 of them failed, sent over 9.9 s at a target of 20/s (achieved 10/s = 50 %).
    private static let result: RunResult = {
        let samples = (1...100).map { (index: Int) -> RequestSample in
            let outcome: RequestOutcome = index <= 2 ? .status(500) : index == 3 ? .error(.timeout) : .status(200)
            return sample(intended: Double(index - 1) * 100, service: Double(index), outcome: outcome)
        }
        return RunResult(metadata: metadata(targetRate: 20), statistics: statistics(samples))
    }()

    @Test(arguments: [
        ("p99>250ms", nil),
        ("p99>98ms", "p99 was 99.01ms, limit p99>98ms"),   // 3 significant digits: 99 ms is kept as 99.01 ms
        ("p99>=99ms", "p99 was 99.01ms, limit p99>=99ms"),
        ("p99>99.1ms", nil),
        ("p50<10ms", nil),
        ("mean>50ms", "mean was 50.5ms, limit mean>50ms"),
        ("max>2s", nil),
        ("max>=100ms", "max was 100ms, limit max>=100ms"),
        ("errors>0.5%", "errors were 3% (3 of 100), limit errors>0.5%"),
        ("errors>3%", nil),
        ("rate<95%", "rate was 50% of the target (10.0/s of 20.0/s), limit rate<95%"),
        ("rate<50%", nil),
    ])
    func breachEvaluation(text: String, breach: String?) throws {
        let threshold = try Threshold(parsing: text)
        #expect(threshold.breach(in: Self.result)?.description == breach)
    }

    @Test func rateThresholdBreachesWithoutATargetRate() throws {
        let closedLoop = RunResult(metadata: metadata(targetRate: nil), statistics: Self.result.statistics)
        #expect(try Threshold(parsing: "rate<95%").breach(in: closedLoop)?.description
            == "rate has no target rate to compare with (closed loop), limit rate<95%")
    }

    @Test func breachedExitCodeIsThree() {
        #expect(Threshold.thresholdBreachedExitCode == 3)
    }
}
