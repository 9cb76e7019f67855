import Primitives
import Receiver
import Testing

struct SinkOptionTests {
    static let validLatencies: [(String, Distribution)] = [
        ("20ms", .constant(.milliseconds(20))),
        ("0ms", .constant(.zero)),
        ("1.5s", .constant(.milliseconds(1500))),
        ("250us", .constant(.microseconds(250))),
        ("uniform(10ms,30ms)", .uniform(min: .milliseconds(10), max: .milliseconds(30))),
        (" uniform( 10ms , 10ms ) ", .uniform(min: .milliseconds(10), max: .milliseconds(10))),
        ("exponential(20ms)", .exponential(mean: .milliseconds(20))),
        ("lognormal(20ms,0.5)", .lognormal(median: .milliseconds(20), sigma: 0.5)),
        ("lognormal(1s, 0)", .lognormal(median: .seconds(1), sigma: 0)),
    ]

    @Test(arguments: validLatencies)
    func parsesLatencyDistributions(text: String, expected: Distribution) throws {
        #expect(try Distribution(latencyOption: text) == expected)
    }

    static let malformedLatencies: [(String, String)] = [
        ("lognormal(20ms)", "--latency 'lognormal(20ms)': expected two arguments: median and sigma"),
        ("lognormal(20ms,0.5,1)", "--latency 'lognormal(20ms,0.5,1)': expected two arguments: median and sigma"),
        ("lognormal(20ms,-1)", "--latency 'lognormal(20ms,-1)': sigma '-1' must be a number from 0 to 10"),
        ("lognormal(fast,0.5)", "--latency 'lognormal(fast,0.5)': median 'fast' is not a duration (e.g. 20ms, 1.5s)"),
        ("uniform(30ms,10ms)", "--latency 'uniform(30ms,10ms)': min 30ms is more than max 10ms"),
        ("uniform(10ms)", "--latency 'uniform(10ms)': expected two arguments: min and max"),
        ("exponential()", "--latency 'exponential()': mean '' is not a duration (e.g. 20ms, 1.5s)"),
        ("exponential(1ms,2ms)", "--latency 'exponential(1ms,2ms)': expected one argument: the mean"),
        ("uniform(10ms,30ms", "--latency 'uniform(10ms,30ms': expected ')' at the end"),
        ("normal(20ms,1)", "--latency 'normal(20ms,1)': unknown distribution 'normal': expected uniform, exponential or lognormal"),
        ("20", "--latency '20': expected a duration (e.g. 20ms), uniform(min,max), exponential(mean) or lognormal(median,sigma)"),
        ("-5ms", "--latency '-5ms': expected a duration (e.g. 20ms), uniform(min,max), exponential(mean) or lognormal(median,sigma)"),
    ]

    @Test(arguments: malformedLatencies)
    func rejectsMalformedLatencyNamingOptionAndReason(text: String, message: String) {
        #expect(throws: SinkOptionError.self) { try Distribution(latencyOption: text) }
        do {
            _ = try Distribution(latencyOption: text)
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func describesDistributionsAsTheyAreWritten() throws {
        for text in ["20ms", "uniform(10ms,30ms)", "exponential(1.5s)", "lognormal(20ms,0.5)", "250µs", "120s"] {
            #expect(try Distribution(latencyOption: text).latencyOptionText == text)
        }
        #expect(try Distribution(latencyOption: "250us").latencyOptionText == "250µs")
    }

    static let errorRates: [(String, Double?)] = [
        ("0.05", 0.05), ("5%", 0.05), ("0", 0), ("1", 1), ("100%", 1), ("12.5%", 0.125),
        ("1.5", nil), ("-0.1", nil), ("101%", nil), ("five", nil), ("%", nil), ("", nil),
    ]

    @Test(arguments: errorRates)
    func parsesErrorRatesAsFractionsOrPercentages(text: String, expected: Double?) {
        let parsed = try? SinkConfiguration.parseErrorRate(text)
        if let expected, let parsed {
            #expect(abs(parsed - expected) < 1e-12)
        } else {
            #expect(parsed == expected)
        }
    }

    @Test func namesTheErrorRateProblem() {
        #expect(throws: SinkOptionError(option: "--error-rate", value: "150%", reason: "must be from 0 to 1 (0% to 100%)")) {
            try SinkConfiguration.parseErrorRate("150%")
        }
    }

    /// --stall 300ms --every 1s: stalls over [1s, 1.3s), [2s, 2.3s), ...
    static let stallReleases: [(dueMilliseconds: Int, releaseMilliseconds: Int)] = [
        (0, 0), (999, 999),  // before the first stall
        (1000, 1300), (1150, 1300), (1299, 1300),  // due during it: at its end
        (1300, 1300), (1500, 1500), (1999, 1999),  // between stalls
        (2000, 2300), (5299, 5300), (5300, 5300),
    ]

    @Test(arguments: stallReleases)
    func holdsAnswersDueDuringAStallUntilItEnds(dueMilliseconds: Int, releaseMilliseconds: Int) throws {
        let schedule = try StallSchedule(duration: .milliseconds(300), every: .seconds(1))
        #expect(schedule.release(due: .milliseconds(dueMilliseconds)) == .milliseconds(releaseMilliseconds))
    }

    @Test func rejectsStallsThatWouldNeverEnd() {
        #expect(throws: SinkOptionError(option: "--every", value: "1s", reason: "must be longer than --stall 1s")) {
            try StallSchedule(duration: .seconds(1), every: .seconds(1))
        }
        #expect(throws: SinkOptionError(option: "--stall", value: "0s", reason: "must be longer than 0")) {
            try StallSchedule(duration: .zero, every: .seconds(1))
        }
    }
}
