import Primitives
import Testing

@Suite struct DurationTextTests {
    static let valid: [(String, Duration)] = [
        ("250ms", .milliseconds(250)), ("5s", .seconds(5)), ("10m", .seconds(600)), ("1h", .seconds(3600)),
        ("1.5s", .milliseconds(1500)), ("500us", .microseconds(500)), ("500µs", .microseconds(500)),
        ("0s", .zero), ("1.5m", .seconds(90)), ("0.1s", .milliseconds(100)), ("365h", .seconds(365 * 3600)),
    ]

    @Test(arguments: valid)
    func parsesTheGrammar(text: String, expected: Duration) throws {
        #expect(try DurationText.parse(text) == expected)
    }

    static let invalid: [(String, DurationText.ParseError)] = [
        ("", .malformed), ("5", .malformed), ("ms", .malformed), ("5d", .malformed), ("five s", .malformed),
        ("nans", .malformed), ("infs", .malformed), ("-5s", .negative), ("8761h", .tooLong),
    ]

    @Test(arguments: invalid)
    func refusesWhatIsNotADuration(text: String, error: DurationText.ParseError) {
        #expect(throws: error) { try DurationText.parse(text) }
    }

    @Test func aYearIsTheLongest() throws {
        #expect(try DurationText.parse("8760h") == DurationText.longest)
    }

    static let exact: [(Duration, String)] = [
        (.zero, "0s"), (.milliseconds(250), "250ms"), (.milliseconds(1500), "1.5s"), (.seconds(120), "120s"),
        (.seconds(3600), "3600s"), (.seconds(90), "90s"), (.microseconds(500), "500µs"), (.nanoseconds(1_500), "1.5µs"),
        (.nanoseconds(1_000_000_001), "1.000000001s"), (.milliseconds(-20), "-20ms"),
    ]

    @Test(arguments: exact)
    func formatsExactlyInTheGrammar(duration: Duration, text: String) throws {
        #expect(DurationText.format(duration) == text)
        if duration >= .zero { #expect(try DurationText.parse(text) == duration) }
    }

    @Test(arguments: [
        (0.0, "0µs"), (850, "850µs"), (12.345, "12.35µs"), (1000, "1ms"), (312_400, "312.4ms"),
        (1_500_000, "1.5s"), (3_600_000_000, "3600s"),
    ])
    func formatsMeasuredDurationsToSignificantDigits(microseconds: Double, text: String) {
        #expect(DurationText.format(microseconds: microseconds, significantDigits: 4) == text)
    }

    @Test func knowsItsUnits() {
        #expect(["us", "µs", "ms", "s", "m", "h"].allSatisfy { DurationText.isUnit($0) })
        #expect(!DurationText.isUnit("d") && !DurationText.isUnit(""))
    }
}
