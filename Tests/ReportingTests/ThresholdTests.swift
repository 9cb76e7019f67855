import Testing
@testable import Reporting

@Suite struct ThresholdTests {
    /// Good thresholds, absolute and (with a base run) signed: what each parses to.
    @Test(arguments: [
        ("p99>250ms", false, Threshold.Metric.percentile(99), Threshold.Measure.value, Threshold.Comparison.greater, 250_000.0),
        ("p99.9>1s", false, .percentile(99.9), .value, .greater, 1_000_000),
        ("p50>=20ms", false, .percentile(50), .value, .greaterOrEqual, 20_000),
        ("mean>10ms", false, .mean, .value, .greater, 10_000),
        ("max>2s", false, .max, .value, .greater, 2_000_000),
        ("max>1.5m", false, .max, .value, .greater, 90_000_000),
        ("p100<=500us", false, .percentile(100), .value, .lessOrEqual, 500),
        ("p90 > 800µs", false, .percentile(90), .value, .greater, 800),
        ("errors>0.5%", false, .errors, .value, .greater, 0.5),
        ("rate<95%", false, .rate, .value, .less, 95),
        ("p99>250ms", true, .percentile(99), .value, .greater, 250_000),
        ("p99>+10%", true, .percentile(99), .relativeChange, .greater, 10),
        ("p99.9>+50ms", true, .percentile(99.9), .change, .greater, 50_000),
        ("p50 > -10 %", true, .percentile(50), .relativeChange, .greater, -10),
        ("mean>=-1s", true, .mean, .change, .greaterOrEqual, -1_000_000),
        ("max<+0%", true, .max, .relativeChange, .less, 0),
        ("errors>+0.5%", true, .errors, .change, .greater, 0.5),
        ("errors>-1%", true, .errors, .change, .greater, -1),
        ("rate<-5%", true, .rate, .relativeChange, .less, -5),
        ("rate<95%", true, .rate, .value, .less, 95),
    ])
    func validThresholdsParse(text: String, withBaseRun: Bool, metric: Threshold.Metric, measure: Threshold.Measure,
                              comparison: Threshold.Comparison, limit: Double) throws {
        let threshold = try Threshold(parsing: text, withBaseRun: withBaseRun)
        #expect(threshold.metric == metric)
        #expect(threshold.measure == measure)
        #expect(threshold.comparison == comparison)
        #expect(threshold.limit == limit)
        #expect(threshold.comparesWithBase == (measure != .value))
        #expect(threshold.description == text.replacingOccurrences(of: " ", with: ""))
    }

    /// Bad thresholds, without and with a base run: the exact message, which
    /// quotes the text as given and names the character where the problem is.
    @Test(arguments: [
        ("", false, "threshold '': empty; expected pN (such as p99 or p99.9), mean, max, errors or rate, then a comparison and a value, such as p99>250ms"),
        ("p99>>1s", false, "threshold 'p99>>1s' at character 5: expected a value after '>'"),
        ("p99>", false, "threshold 'p99>' at the end: expected a value after '>'"),
        ("p99", false, "threshold 'p99' at the end: expected a comparison (>, >=, <, <=) after 'p99'"),
        ("p99=1s", false, "threshold 'p99=1s' at character 4: expected a comparison (>, >=, <, <=) after 'p99'"),
        (">1s", false, "threshold '>1s' at character 1: expected a metric before the comparison (expected pN (such as p99 or p99.9), mean, max, errors or rate)"),
        ("latency>1s", false, "threshold 'latency>1s' at character 1: unknown metric 'latency' (expected pN (such as p99 or p99.9), mean, max, errors or rate)"),
        ("p>1s", false, "threshold 'p>1s' at character 2: expected a percentile after 'p', such as p99"),
        ("p9x>1s", false, "threshold 'p9x>1s' at character 1: 'p9x' is not a percentile (expected pN (such as p99 or p99.9), mean, max, errors or rate)"),
        ("p0>1s", false, "threshold 'p0>1s' at character 2: percentile 0 is outside 0-100 (exclusive of 0)"),
        ("p101>1s", false, "threshold 'p101>1s' at character 2: percentile 101 is outside 0-100 (exclusive of 0)"),
        ("p99>250", false, "threshold 'p99>250' at the end: expected a unit after '250' (us, ms, s, m or h), such as 250ms"),
        ("p99>250xs", false, "threshold 'p99>250xs' at character 8: unknown unit 'xs' in '250xs' (expected us, ms, s, m or h)"),
        ("p99 > 250 xs", false, "threshold 'p99 > 250 xs' at character 11: unknown unit 'xs' in '250xs' (expected us, ms, s, m or h)"),
        ("p99>5%", false, "threshold 'p99>5%' at character 6: p99 takes a duration such as 250ms, not a percentage"),
        ("p99>1.2.3s", false, "threshold 'p99>1.2.3s' at character 5: '1.2.3' is not a number"),
        ("p99>400d", false, "threshold 'p99>400d' at character 8: unknown unit 'd' in '400d' (expected us, ms, s, m or h)"),
        ("max>9000h", false, "threshold 'max>9000h' at character 5: 9000h is longer than a year"),
        ("errors>0.5", false, "threshold 'errors>0.5' at the end: errors takes a percentage such as 0.5%, got '0.5'"),
        ("rate<95ms", false, "threshold 'rate<95ms' at character 8: rate takes a percentage such as 95%, got '95ms'"),
        // A signed value needs a base run.
        ("p99>+10%", false, "threshold 'p99>+10%' at character 5: '+10%' is a change from a base run (a signed value); only 'hookreel report diff' has one"),
        ("p99 > +10%", false, "threshold 'p99 > +10%' at character 7: '+10%' is a change from a base run (a signed value); only 'hookreel report diff' has one"),
        ("errors>-1%", false, "threshold 'errors>-1%' at character 8: '-1%' is a change from a base run (a signed value); only 'hookreel report diff' has one"),
        // With one, the signed grammar's own mistakes.
        ("p99>+", true, "threshold 'p99>+' at the end: expected a number after '+'"),
        ("p99>+-5%", true, "threshold 'p99>+-5%' at character 6: expected a number after '+'"),
        ("p99>+10", true, "threshold 'p99>+10' at the end: expected a unit after '10' (%, us, ms, s, m or h), such as +10% or +10ms"),
        ("p99>+10xs", true, "threshold 'p99>+10xs' at character 8: unknown unit 'xs' in '+10xs' (expected %, us, ms, s, m or h)"),
        ("p99>+1.2.3%", true, "threshold 'p99>+1.2.3%' at character 6: '1.2.3' is not a number"),
        ("p99>10%", true, "threshold 'p99>10%' at character 7: p99 takes a duration such as 250ms, not a percentage (a change from the base run is signed: +10%)"),
        ("errors>+0.5ms", true, "threshold 'errors>+0.5ms' at character 12: errors takes a percentage such as +0.5%, got '+0.5ms'"),
        ("rate<-5/s", true, "threshold 'rate<-5/s' at character 8: rate takes a percentage such as -5%, got '-5/s'"),
        ("rate<-", true, "threshold 'rate<-' at the end: expected a number after '-'"),
    ])
    func malformedThresholdsSayWhereAndWhatIsWrong(text: String, withBaseRun: Bool, message: String) {
        #expect {
            try Threshold(parsing: text, withBaseRun: withBaseRun)
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
