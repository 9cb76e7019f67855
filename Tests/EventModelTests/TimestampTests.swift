import EventModel
import Testing
import TestSupport

struct TimestampTests {
    @Test(arguments: [
        ("1970-01-01T00:00:00.000000Z", Int64(0)),
        ("2026-11-29T15:27:41.123456Z", Int64(1_795_966_061_123_456)),
        ("2000-02-29T23:59:59.999999Z", Int64(951_868_799_999_999)),
        ("1969-12-31T23:59:59.999999Z", Int64(-1)),
    ])
    func formatsAndParsesKnownInstants(text: String, micros: Int64) {
        let timestamp = Timestamp(microsecondsSinceEpoch: micros)
        #expect(timestamp.description == text)
        #expect(Timestamp(rfc3339: text) == timestamp)
    }

    @Test(arguments: [
        ("2026-11-29T15:27:41Z", "2026-11-29T15:27:41.000000Z"),
        ("2026-11-29T15:27:41.5Z", "2026-11-29T15:27:41.500000Z"),
        ("2026-11-29T15:27:41.1234567Z", "2026-11-29T15:27:41.123456Z"),
        ("2026-11-29T16:27:41.1+01:00", "2026-11-29T15:27:41.100000Z"),
        ("2026-11-29T10:27:41-05:00", "2026-11-29T15:27:41.000000Z"),
        ("2026-11-29 15:27:41z", "2026-11-29T15:27:41.000000Z"),
        ("2026-11-29", "2026-11-29T00:00:00.000000Z"),
    ])
    func acceptsRFC3339Variants(text: String, normalized: String) {
        #expect(Timestamp(rfc3339: text)?.description == normalized)
    }

    @Test(arguments: [
        "", "2026", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-11-29T24:00:00Z",
        "2026-11-29T15:27:41", "2026-11-29T15:27:41.Z", "2026-11-29T15:27:41Zjunk", "26-11-29T15:27:41Z",
        "2026-11-29T15:27:41+0100",
    ])
    func rejectsMalformedTimes(text: String) {
        #expect(Timestamp(rfc3339: text) == nil)
    }

    @Test func roundTripsRandomInstants() {
        var generator = SeededGenerator(seed: 42)
        for _ in 0..<5000 {
            let micros = Int64.random(in: -2_000_000_000_000_000...8_000_000_000_000_000, using: &generator)
            let timestamp = Timestamp(microsecondsSinceEpoch: micros)
            #expect(Timestamp(rfc3339: timestamp.description) == timestamp, "\(micros)")
        }
    }
}
