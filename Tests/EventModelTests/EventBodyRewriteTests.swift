import EventModel
import Foundation
import Testing
import TestSupport

/// `EventBodyRewrite`: edits only the top-level `EventId` and date-time string
/// values; every other byte of the body is kept.
struct EventBodyRewriteTests {
    private func apply(_ rewrite: EventBodyRewrite, _ body: String) -> String? {
        rewrite.apply(to: Array(body.utf8)).map { String(decoding: $0, as: UTF8.self) }
    }

    // MARK: EventId

    @Test func aNewEventIdReplacesOnlyTheTopLevelValue() {
        let body = #"{"Type":"job.started","EventId":"307348019","Job":{"EventId":"nested","Id":1},"Items":[{"EventId":"in-array"}]}"#
        let expected = #"{"Type":"job.started","EventId":"fresh-1","Job":{"EventId":"nested","Id":1},"Items":[{"EventId":"in-array"}]}"#
        #expect(apply(EventBodyRewrite(eventId: "fresh-1"), body) == expected)
    }

    static let eventIdCases: [(body: String, expected: String)] = [
        // A numeric or null EventId is replaced by the string, whitespace around it kept.
        (#"{"EventId" : 12345 ,"A":1}"#, #"{"EventId" : "n" ,"A":1}"#),
        (#"{"A":1,"EventId":null}"#, #"{"A":1,"EventId":"n"}"#),
        // An escaped key still names EventId.
        (#"{"Event\u0049d":"old"}"#, #"{"Event\u0049d":"n"}"#),
        // No EventId: nothing is added.
        (#"{"Type":"ping"}"#, #"{"Type":"ping"}"#),
        // Keys that only look like it are left alone.
        (#"{"eventid":"a","EventIdX":"b"}"#, #"{"eventid":"a","EventIdX":"b"}"#),
    ]

    @Test(arguments: eventIdCases)
    func eventIdEdgeCases(body: String, expected: String) {
        #expect(apply(EventBodyRewrite(eventId: "n"), body) == expected)
    }

    @Test func theNewEventIdIsWrittenAsAJSONString() throws {
        let body = Array(#"{"EventId":"x"}"#.utf8)
        let rewritten = try #require(EventBodyRewrite(eventId: "a\"b\\c\n").apply(to: body))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(rewritten)) as? [String: Any])
        #expect(object["EventId"] as? String == "a\"b\\c\n")
    }

    // MARK: Time shift

    static let shifts: [(original: String, shift: Int64, expected: String)] = [
        // fraction and zone text are kept exactly
        ("2026-11-29T10:00:00.1234567Z", 1, "2026-11-29T10:00:01.1234567Z"),
        ("2026-11-29T10:00:00.05653Z", 90, "2026-11-29T10:01:30.05653Z"),
        ("2026-11-29T10:00:00+02:00", 3600, "2026-11-29T11:00:00+02:00"),
        ("2026-11-29T10:00:00.1-05:30", -36_000, "2026-11-29T00:00:00.1-05:30"),
        ("2026-11-29T10:00:00", 5, "2026-11-29T10:00:05"),
        ("2026-11-29t10:00:00z", 5, "2026-11-29t10:00:05z"),
        // day, month, year boundaries
        ("2026-11-29T23:59:59.9999999Z", 1, "2026-11-30T00:00:00.9999999Z"),
        ("2026-11-30T23:59:30Z", 30, "2026-12-01T00:00:00Z"),
        ("2026-12-31T23:59:59Z", 1, "2027-01-01T00:00:00Z"),
        // leap days
        ("2028-02-28T23:00:00Z", 3600, "2028-02-29T00:00:00Z"),
        ("2028-02-29T23:00:00Z", 3600, "2028-03-01T00:00:00Z"),
        ("2027-02-28T23:00:00Z", 3600, "2027-03-01T00:00:00Z"),
        ("2000-02-28T12:00:00Z", 86_400, "2000-02-29T12:00:00Z"),
        ("2100-02-28T12:00:00Z", 86_400, "2100-03-01T12:00:00Z"),
        // negative shifts
        ("2027-01-01T00:00:00.5Z", -1, "2026-12-31T23:59:59.5Z"),
        ("2028-03-01T00:00:00Z", -1, "2028-02-29T23:59:59Z"),
        ("2026-03-01T00:00:00Z", -86_400, "2026-02-28T00:00:00Z"),
        ("1970-01-01T00:00:00Z", -1, "1969-12-31T23:59:59Z"),
        // large shifts: days and years
        ("2026-11-02T09:00:00.077933Z", 27 * 86_400 + 3723, "2026-11-29T10:02:03.077933Z"),
        ("2024-02-29T00:00:00Z", 365 * 86_400, "2025-02-28T00:00:00Z"),
        ("2026-11-29T10:00:00Z", -3652 * 86_400, "2016-11-29T10:00:00Z"),
    ]

    @Test(arguments: shifts)
    func dateTimesShiftByWholeSecondsKeepingFractionAndZone(original: String, shift: Int64, expected: String) {
        let body = #"{"Timestamp":"\#(original)"}"#
        #expect(apply(EventBodyRewrite(timeShiftSeconds: shift), body) == #"{"Timestamp":"\#(expected)"}"#)
    }

    @Test func dateTimesAtEveryDepthShiftAndEverythingElseIsKeptByteForByte() {
        let body = """
            { "Type" : "queueItem.added",\t"EventId":"2026-11-29T10:00:00Z","Timestamp":"2026-11-29T10:00:00.1234567Z",
              "Queue":{"Id":7,"Name":"2026-11-29 notes","Created":"2026-01-31T23:59:59+01:00"},
              "QueueItems":[{"CreationTime":"2026-11-29T09:59:59.5Z","Amount":1.50e2,"Ok":true,"None":null,
                             "Times":["2026-11-29T10:00:00Z",["2026-11-29T10:00:00Z"],"not a date",""]}],
              "Escaped":"2026-11-29T10:00:00\\u005A","Escaped2":"2026-11-29T10:00:00\\/x","Short":"2026-11-29T10:00",
              "Date":"2026-11-29","BadMonth":"2026-13-01T00:00:00Z","BadDay":"2026-02-30T00:00:00Z","BadHour":"2026-11-29T24:00:00Z",
              "Letters":"abcd-ef-ghTij:kl:mn","Unicode":"é中😀 2026-11-29T10:00:00Z", "Num":20261129 }
            """
        let expected = """
            { "Type" : "queueItem.added",\t"EventId":"2026-11-29T10:01:00Z","Timestamp":"2026-11-29T10:01:00.1234567Z",
              "Queue":{"Id":7,"Name":"2026-11-29 notes","Created":"2026-02-01T00:00:59+01:00"},
              "QueueItems":[{"CreationTime":"2026-11-29T10:00:59.5Z","Amount":1.50e2,"Ok":true,"None":null,
                             "Times":["2026-11-29T10:01:00Z",["2026-11-29T10:01:00Z"],"not a date",""]}],
              "Escaped":"2026-11-29T10:00:00\\u005A","Escaped2":"2026-11-29T10:00:00\\/x","Short":"2026-11-29T10:00",
              "Date":"2026-11-29","BadMonth":"2026-13-01T00:00:00Z","BadDay":"2026-02-30T00:00:00Z","BadHour":"2026-11-29T24:00:00Z",
              "Letters":"abcd-ef-ghTij:kl:mn","Unicode":"é中😀 2026-11-29T10:00:00Z", "Num":20261129 }
            """
        #expect(apply(EventBodyRewrite(timeShiftSeconds: 60), body) == expected)
    }

    @Test func bothEditsTogether() {
        let body = #"{"EventId":"2026-11-29T10:00:00Z","Timestamp":"2026-11-29T10:00:00Z","Job":{"EventId":"2026-11-29T10:00:00Z"}}"#
        // The top-level EventId is replaced, not shifted; the nested one is a date like any other.
        let expected = #"{"EventId":"new","Timestamp":"2026-11-29T10:00:02Z","Job":{"EventId":"2026-11-29T10:00:02Z"}}"#
        #expect(apply(EventBodyRewrite(eventId: "new", timeShiftSeconds: 2), body) == expected)
    }

    @Test func keysAreNeverShifted() {
        let body = #"{"2026-11-29T10:00:00Z":"2026-11-29T10:00:00Z"}"#
        #expect(apply(EventBodyRewrite(timeShiftSeconds: 1), body) == #"{"2026-11-29T10:00:00Z":"2026-11-29T10:00:01Z"}"#)
    }

    @Test func aShiftOutOfFourDigitYearsLeavesTheValue() {
        let body = #"{"A":"9999-12-31T23:59:59Z","B":"0000-01-01T00:00:00Z"}"#
        #expect(apply(EventBodyRewrite(timeShiftSeconds: 1), body) == #"{"A":"9999-12-31T23:59:59Z","B":"0000-01-01T00:00:01Z"}"#)
        #expect(apply(EventBodyRewrite(timeShiftSeconds: -1), body) == #"{"A":"9999-12-31T23:59:58Z","B":"0000-01-01T00:00:00Z"}"#)
    }

    // MARK: Non-objects and identity

    @Test(arguments: ["", " ", "[]", #"["2026-11-29T10:00:00Z"]"#, "\"2026-11-29T10:00:00Z\"", "42", "null",
                      "{", #"{"a":1"#, #"{"a":1}x"#, #"{"a":1}{}"#, #"{"a":tru}"#, "not json", "{\"a\":\"\u{01}\"}"])
    func aBodyThatIsNotOneJSONObjectIsNotRewritten(body: String) {
        #expect(EventBodyRewrite(eventId: "n", timeShiftSeconds: 5).apply(to: Array(body.utf8)) == nil)
        #expect(EventBodyRewrite(timeShiftSeconds: 5).apply(to: Array(body.utf8)) == nil)
        #expect(EventBodyRewrite(eventId: "n").apply(to: Array(body.utf8)) == nil)
    }

    @Test func whitespaceAroundTheObjectIsKept() {
        #expect(apply(EventBodyRewrite(eventId: "n"), " \n{\"EventId\":1}\r\n ") == " \n{\"EventId\":\"n\"}\r\n ")
    }

    @Test(arguments: ["", "[1]", #"{"EventId":"a","Timestamp":"2026-11-29T10:00:00Z"}"#, "not json"])
    func identityReturnsTheSameBytes(body: String) {
        let identity = EventBodyRewrite()
        #expect(identity.isIdentity)
        #expect(identity.apply(to: Array(body.utf8)) == Array(body.utf8))
        #expect(!EventBodyRewrite(eventId: "x").isIdentity)
        #expect(!EventBodyRewrite(timeShiftSeconds: -1).isIdentity)
    }

    @Test func aZeroShiftWithANewIdLeavesTimesAlone() {
        let body = #"{"EventId":"a","Timestamp":"2026-11-29T10:00:00.1234567Z"}"#
        #expect(apply(EventBodyRewrite(eventId: "b", timeShiftSeconds: 0), body) == #"{"EventId":"b","Timestamp":"2026-11-29T10:00:00.1234567Z"}"#)
    }

    // MARK: eventTimestamp

    static let timestampCases: [(body: String, expected: String)] = [
        (#"{"Type":"job.started","Timestamp":"2026-11-02T09:00:00.077933Z"}"#, "2026-11-02T09:00:00.077933Z"),
        (#"{"Timestamp":"2026-11-29T10:00:00.1234567Z"}"#, "2026-11-29T10:00:00.123456Z"),
        (#"{"Timestamp":"2026-11-29T12:00:00+02:00"}"#, "2026-11-29T10:00:00Z"),
        (#"{"Job":{"Timestamp":"2020-01-01T00:00:00Z"},"Timestamp":"2026-11-29T10:00:00Z"}"#, "2026-11-29T10:00:00Z"),
        (#"{"Timestamp":1,"Timestamp":"2026-11-29T10:00:00Z"}"#, "2026-11-29T10:00:00Z"),
        (#" {"Time\u0073tamp" : "2026-11-29T10:00:00Z"} "#, "2026-11-29T10:00:00Z"),
    ]

    @Test(arguments: timestampCases)
    func eventTimestampIsTheTopLevelTimestamp(body: String, expected: String) {
        #expect(EventBodyRewrite.eventTimestamp(in: Array(body.utf8)) == Timestamp(rfc3339: expected))
    }

    @Test(arguments: [
        #"{"Type":"ping"}"#, #"{"Job":{"Timestamp":"2026-11-29T10:00:00Z"}}"#, #"{"Timestamp":"yesterday"}"#,
        #"{"Timestamp":null}"#, "[]", "", "nope", #"["Timestamp","2026-11-29T10:00:00Z"]"#,
    ])
    func eventTimestampIsNilWithoutAValidTopLevelTimestamp(body: String) {
        #expect(EventBodyRewrite.eventTimestamp(in: Array(body.utf8)) == nil)
    }

    // MARK: Property

    /// Property: shifting by a random amount and back gives the original bytes;
    /// a shift changes only the bytes of date-time values and keeps the length;
    /// the event timestamp moves by exactly the shift.
    @Test func aRandomShiftThenItsInverseGivesBackTheOriginal() throws {
        var generator = SeededGenerator(seed: 20_261_129)
        var factory = RecordFactory(seed: 11)
        var changed = 0
        for round in 0..<500 {
            let body = round.isMultiple(of: 2) ? factory.event().body : randomEventBody(&generator)
            // Up to about 50 years either way, but never outside years 1970...2999 for these bodies.
            let shift = Int64.random(in: -1_500_000_000...1_500_000_000, using: &generator)
            let forward = try #require(EventBodyRewrite(timeShiftSeconds: shift).apply(to: body))
            let back = try #require(EventBodyRewrite(timeShiftSeconds: -shift).apply(to: forward))
            #expect(back == body, "round \(round), shift \(shift)")
            #expect(forward.count == body.count)
            if forward != body { changed += 1 }
            let before = try #require(EventBodyRewrite.eventTimestamp(in: body))
            let after = try #require(EventBodyRewrite.eventTimestamp(in: forward))
            #expect(after.microsecondsSinceEpoch - before.microsecondsSinceEpoch == shift * 1_000_000)
            // A fresh id on top leaves the shifted times alone.
            let both = try #require(EventBodyRewrite(eventId: "id-\(round)", timeShiftSeconds: shift).apply(to: body))
            let object = try #require(try JSONSerialization.jsonObject(with: Data(both)) as? [String: Any])
            #expect(object["EventId"] as? String == "id-\(round)")
            #expect(EventBodyRewrite.eventTimestamp(in: both) == after)
        }
        #expect(changed == 500)
    }

    /// An Orchestrator-like body with date-times at several depths, random
    /// fractions (0 to 7 digits) and zones, between 2000 and 2040.
    private func randomEventBody(_ generator: inout SeededGenerator) -> [UInt8] {
        func dateTime() -> String {
            let seconds = Int64.random(in: 946_684_800...2_208_988_800, using: &generator)
            var text = String(Timestamp(microsecondsSinceEpoch: seconds * 1_000_000).description.prefix(19))
            let digits = Int.random(in: 0...7, using: &generator)
            if digits > 0 { text += "." + String((0..<digits).map { _ in "0123456789".randomElement(using: &generator)! }) }
            text += ["Z", "+02:00", "-05:30", "z", "+00:00"].randomElement(using: &generator)!
            return text
        }
        let text = """
            {"Type":"queueItem.transactionCompleted","EventId":"\(UInt32.random(in: 0...UInt32.max, using: &generator))",\
            "Timestamp":"\(dateTime())","QueueItems":[{"Id":1,"StartProcessing":"\(dateTime())","EndProcessing":"\(dateTime())",\
            "Note":"line\\n\\"q\\" é","Output":{"At":["\(dateTime())",{"Deep":"\(dateTime())"}],"Amount":-1.5e-3}}],\
            "Job":{"StartTime":"\(dateTime())","EndTime":null},"TenantId":1}
            """
        return Array(text.utf8)
    }
}
