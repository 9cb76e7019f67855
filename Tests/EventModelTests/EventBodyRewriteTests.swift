import EventModel
import Foundation
import Testing
import TestSupport

/// `EventBodyRewrite`: edits only the top-level `EventId`, the identities of
/// the event's jobs and queue items, and date-time string values; every other
/// byte of the body is kept.
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

    // MARK: Fresh entities

    /// A queue item's lifecycle with a retry, as Orchestrator sends it: the
    /// clone keeps the `Key`, gets a new `Id` and names the old one in `AncestorId`.
    static let queueItemLifecycle = [
        #"{"Type":"queueItem.added","EventId":"1","Timestamp":"2026-11-29T10:00:00Z","Queue":{"Id":7,"Name":"Q"},"QueueItems":[{"Id":39962626,"Key":"f29d0da9-953f-48f1-a09f-76b5a170b338","QueueDefinitionId":7,"Status":"New"}],"TenantId":1}"#,
        #"{"Type":"queueItem.transactionStarted","EventId":"2","QueueItem":{"Id":39962626,"Key":"f29d0da9-953f-48f1-a09f-76b5a170b338","QueueDefinitionId":7,"Robot":{"Id":4,"Name":"r"}},"Queue":{"Id":7}}"#,
        #"{"Type":"queueItem.transactionFailed","EventId":"3","QueueItem":{"Id":39962626,"Key":"f29d0da9-953f-48f1-a09f-76b5a170b338","RetryNumber":0},"Queue":{"Id":7}}"#,
        #"{"Type":"queueItem.added","EventId":"4","QueueItems":[{"Id":39962627,"Key":"f29d0da9-953f-48f1-a09f-76b5a170b338","RetryNumber":1,"AncestorId":39962626}]}"#,
        #"{"Type":"queueItem.transactionCompleted","EventId":"5","QueueItem":{"Id":39962627,"Key":"f29d0da9-953f-48f1-a09f-76b5a170b338","AncestorId":39962626,"ManualAncestorId":null}}"#,
    ]

    private func object(_ body: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
    }

    /// The queue item (first of `QueueItems`, or `QueueItem`) of a body.
    private func item(_ body: String) throws -> [String: Any] {
        let object = try object(body)
        return try #require((object["QueueItems"] as? [[String: Any]])?.first ?? object["QueueItem"] as? [String: Any])
    }

    @Test func everyReferenceToAnEntityWithinAPassGetsTheSameNewIdentity() throws {
        let fresh = FreshEntities(seed: 42, pass: 3)
        let rewritten = try Self.queueItemLifecycle.map { try #require(apply(EventBodyRewrite(entities: fresh), $0)) }
        let items = try rewritten.map(item)
        let keys = Set(items.map { $0["Key"] as? String })
        #expect(keys.count == 1 && keys.first != "f29d0da9-953f-48f1-a09f-76b5a170b338", "\(keys)")
        let (first, retry) = (Int64(39962626) + 4 * FreshEntities.idStride, Int64(39962627) + 4 * FreshEntities.idStride)
        #expect(items.map { ($0["Id"] as? NSNumber)?.int64Value } == [first, first, first, retry, retry])
        #expect(items.compactMap { ($0["AncestorId"] as? NSNumber)?.int64Value } == [first, first], "the retry names the first attempt's new Id")
        #expect(items.last?["ManualAncestorId"] is NSNull)
        // Not the item's: the queue, the robot, the EventId.
        for (body, original) in zip(rewritten, Self.queueItemLifecycle) {
            let (after, before) = (try object(body), try object(original))
            #expect((after["Queue"] as? NSDictionary) == (before["Queue"] as? NSDictionary))
            #expect(after["EventId"] as? String == before["EventId"] as? String)
        }
        #expect((items[1]["Robot"] as? [String: Any])?["Id"] as? Int == 4)
    }

    /// The new values sit where the recorded ones were: putting the recorded
    /// ones back gives the recorded body byte for byte.
    @Test func onlyTheIdentitiesChange() throws {
        let body = #"{ "Type" : "job.started","EventId":"307348019","Job":{ "Id" : 675398922,"Key":"d23f0824-128b-2f33-0c5c-7fd0a6a3a450","Release":{"Id":8,"Key":"099950d8-36f6-75cc-81e7-4ef5e8e25d94"},"Robot":{"Id":49}},"TenantId":1}"#
        let rewritten = try #require(apply(EventBodyRewrite(entities: FreshEntities(seed: 5, pass: 1)), body))
        let job = try #require(try object(rewritten)["Job"] as? [String: Any])
        let key = try #require(job["Key"] as? String)
        let id = try #require(job["Id"] as? Int64)
        #expect(id == 20_675_398_922)
        let restored = rewritten.replacingOccurrences(of: key, with: "d23f0824-128b-2f33-0c5c-7fd0a6a3a450")
            .replacingOccurrences(of: String(id), with: "675398922")
        #expect(restored == body)
    }

    /// The documented derivation, recomputed with Python's hashlib:
    /// `sha256(struct.pack('>QQ', seed, pass) + key.encode()).digest()[:16]` as a version-4 GUID.
    @Test(arguments: [(UInt64(5), 0, "464fa465-e641-4740-ba7a-46f76135a5d6"), (5, 1, "f109c129-c509-4fd9-be7c-8fda841465af")])
    func aNewKeyIsTheDocumentedHashOfSeedPassAndKey(seed: UInt64, pass: Int, expected: String) throws {
        let body = #"{"Job":{"Key":"d23f0824-128b-2f33-0c5c-7fd0a6a3a450"}}"#
        let rewritten = try #require(apply(EventBodyRewrite(entities: FreshEntities(seed: seed, pass: pass)), body))
        #expect(rewritten == #"{"Job":{"Key":"\#(expected)"}}"#)
    }

    @Test func passesAndSeedsGiveOtherIdentitiesAndTheSameOnesGiveTheSame() throws {
        let body = Self.queueItemLifecycle[0]
        func identity(seed: UInt64, pass: Int) throws -> [String] {
            let item = try item(try #require(apply(EventBodyRewrite(entities: FreshEntities(seed: seed, pass: pass)), body)))
            let id = try #require(item["Id"] as? Int64)
            return [try #require(item["Key"] as? String), String(id)]
        }
        let passes = try (0..<50).map { try identity(seed: 1, pass: $0) }
        #expect(Set(passes.map { $0[0] }).count == 50, "a key per pass")
        #expect(Set(passes.map { $0[1] }).count == 50, "an id per pass")
        #expect(try identity(seed: 1, pass: 7) == passes[7], "the same seed and pass: the same identities (every shard agrees)")
        let otherSeed = try identity(seed: 2, pass: 7)
        #expect(otherSeed[0] != passes[7][0], "keys follow the seed")
        #expect(otherSeed[1] == passes[7][1], "ids follow the pass only")
    }

    @Test func idsStayBelowTwoToTheFiftyThirdAndRepeatOnlyAfterThePeriod() {
        let recorded: Int64 = 9_999_999_999
        let last = FreshEntities(seed: 0, pass: FreshEntities.idPeriod - 1).id(replacing: recorded)
        #expect(last < 1 << 53)
        #expect(FreshEntities(seed: 0, pass: FreshEntities.idPeriod).id(replacing: recorded)
                == FreshEntities(seed: 0, pass: 0).id(replacing: recorded))
        #expect(FreshEntities(seed: 0, pass: 0).id(replacing: 12) == 10_000_000_012)
    }

    static let entityCases: [(body: String, expected: String)] = [
        // Every job of a bulk event, each its own.
        (#"{"Jobs":[{"Id":1,"Key":"a"},{"Id":2,"Key":"b"}],"StartInfo":{"RobotIds":[3]}}"#,
         #"{"Jobs":[{"Id":10000000001,"Key":"KEY(a)"},{"Id":10000000002,"Key":"KEY(b)"}],"StartInfo":{"RobotIds":[3]}}"#),
        // Ids that are not integers, and keys that are not strings, stay.
        (#"{"Job":{"Id":null,"Key":7},"QueueItem":{"Id":1.5,"AncestorId":"9","Key":null}}"#,
         #"{"Job":{"Id":null,"Key":7},"QueueItem":{"Id":1.5,"AncestorId":"9","Key":null}}"#),
        // An escaped key is the key it stands for.
        (#"{"Job":{"K\u0065y":"a\u002db"}}"#, #"{"Job":{"K\u0065y":"KEY(a-b)"}}"#),
        // Entities only at the top level, under these four names; nested ids stay.
        (#"{"Queue":{"Id":7,"Key":"q"},"Data":{"Job":{"Id":1,"Key":"a"}},"Job":{"Release":{"Id":8,"Key":"r"}}}"#,
         #"{"Queue":{"Id":7,"Key":"q"},"Data":{"Job":{"Id":1,"Key":"a"}},"Job":{"Release":{"Id":8,"Key":"r"}}}"#),
        // Not an entity object: walked like any value.
        (#"{"Job":null,"Jobs":[1,"x",{"Id":-4}],"QueueItems":{}}"#, #"{"Job":null,"Jobs":[1,"x",{"Id":9999999996}],"QueueItems":{}}"#),
    ]

    @Test(arguments: entityCases)
    func entityEdgeCases(body: String, expected: String) throws {
        let fresh = FreshEntities(seed: 9, pass: 0)
        var text = expected
        for key in ["a", "b", "a-b"] {
            let (high, low) = Array(key.utf8).withUnsafeBytes { fresh.key(replacing: $0) }
            text = text.replacingOccurrences(of: "KEY(\(key))", with: GUIDText.dashed(high, low))
        }
        #expect(apply(EventBodyRewrite(entities: fresh), body) == text)
    }

    @Test func allThreeEditsTogether() throws {
        let body = #"{"EventId":"1","Timestamp":"2026-11-29T10:00:00Z","Job":{"Id":5,"Key":"k","StartTime":"2026-11-29T09:59:00Z"}}"#
        let rewritten = try #require(apply(EventBodyRewrite(eventId: "e", timeShiftSeconds: 60, entities: FreshEntities(seed: 1, pass: 2)), body))
        let object = try object(rewritten)
        let job = try #require(object["Job"] as? [String: Any])
        #expect(object["EventId"] as? String == "e")
        #expect(object["Timestamp"] as? String == "2026-11-29T10:01:00Z")
        #expect(job["StartTime"] as? String == "2026-11-29T10:00:00Z")
        #expect(job["Id"] as? Int64 == 30_000_000_005)
        #expect((job["Key"] as? String)?.count == 36)
    }

    /// Property: bodies from the factory and the random generator stay valid
    /// JSON with every job key and id renewed.
    @Test func rewrittenBodiesStayValidJSON() throws {
        var generator = SeededGenerator(seed: 15)
        var factory = RecordFactory(seed: 15)
        for round in 0..<200 {
            let body = round.isMultiple(of: 2) ? factory.event().body : randomEventBody(&generator)
            let rewritten = try #require(EventBodyRewrite(entities: FreshEntities(seed: 3, pass: round)).apply(to: body))
            let before = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
            let after = try #require(try JSONSerialization.jsonObject(with: Data(rewritten)) as? [String: Any])
            #expect(Set(after.keys) == Set(before.keys))
            let (job, recordedJob) = (after["Job"] as? [String: Any], before["Job"] as? [String: Any])
            if let key = recordedJob?["Key"] as? String { #expect(job?["Key"] as? String != key) }
            if let id = recordedJob?["Id"] as? Int64 { #expect(job?["Id"] as? Int64 == id + Int64(round + 1) * FreshEntities.idStride) }
        }
    }

    @Test func guidTextSetsTheVersionAndVariantBits() {
        #expect(GUIDText.dashed(0x0123_4567_89AB_CDEF, 0xFEDC_BA98_7654_3210) == "01234567-89ab-4def-bedc-ba9876543210")
        #expect(GUIDText.plain(0x0123_4567_89AB_CDEF, 0xFEDC_BA98_7654_3210) == "0123456789ab4defbedcba9876543210")
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
        #expect(!EventBodyRewrite(entities: FreshEntities(seed: 0, pass: 0)).isIdentity)
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
