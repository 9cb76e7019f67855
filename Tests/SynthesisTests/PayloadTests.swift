import EventModel
import Foundation
import Primitives
import Testing
@testable import Synthesis

/// Bodies built from the inputs in `PayloadSamples` are compared with
/// Fixtures/payload-shapes/<type>.json, written from the documented sample of
/// each type (docs/orchestrator-webhooks.md §3 and its HOOK source; ping from the
/// seed's Ping response): same keys in the same order, same JSON types, same
/// nesting and array lengths. Values are not compared.
@Suite struct PayloadTests {
    @Test(arguments: EventCatalog.all.map(\.type))
    func bodyMatchesDocumentedShape(type: EventType) throws {
        let url = try #require(Bundle.module.url(forResource: type.rawValue, withExtension: "json",
                                                 subdirectory: "Fixtures/payload-shapes"))
        let fixture = try [UInt8](Data(contentsOf: url))
        let body = PayloadSamples.body(for: type)

        let actual = try JSONSerialization.jsonObject(with: Data(body))
        let expected = try JSONSerialization.jsonObject(with: Data(fixture))
        #expect(shapeDifferences(actual, expected, path: "$") == [])
        #expect(memberNames(body) == memberNames(fixture))
        let object = try #require(actual as? [String: Any])
        #expect(object["Type"] as? String == type.rawValue)
    }

    @Test func entitiesAreArraysOrObjectsPerType() throws {
        let expectations: [(EventType, single: String?, array: String?)] = [
            (.jobCreated, nil, "Jobs"), (.jobStopped, nil, "Jobs"),
            (.jobStarted, "Job", nil), (.jobCompleted, "Job", nil), (.jobFaulted, "Job", nil),
            (.queueItemAdded, "Queue", "QueueItems"), (.queueItemTransactionAbandoned, "Queue", "QueueItems"),
            (.queueItemTransactionStarted, "QueueItem", nil), (.queueItemTransactionCompleted, "QueueItem", nil),
            (.queueItemTransactionFailed, "QueueItem", nil),
            (.processCreated, nil, "Releases"), (.queueUpdated, nil, "Queues"), (.robotDeleted, nil, "Robots"),
            (.robotStatus, nil, "Sessions"), (.scheduleFailed, "ProcessSchedule", nil),
        ]
        for (type, single, array) in expectations {
            let object = try parse(PayloadSamples.body(for: type))
            if let single { #expect(object[single] is [String: Any], "\(type) \(single)") }
            if let array { #expect(object[array] is [Any], "\(type) \(array)") }
        }
        let jobs = try parse(PayloadSamples.body(for: .jobCreated))
        #expect(jobs["Job"] == nil)
        #expect(try parse(PayloadSamples.body(for: .jobCompleted))["Jobs"] == nil)
    }

    /// Each type built with both a folder and a user: `UserId` shows only where
    /// the docs show it (absent on robot- and server-raised events), the folder everywhere.
    @Test(arguments: EventCatalog.all.map(\.type))
    func userIdOnlyWhereOrchestratorSendsIt(type: EventType) throws {
        let withoutUser: Set<EventType> = [.jobStarted, .jobCompleted, .jobFaulted, .jobStopped, .robotStatus,
                                           .scheduleFailed, .queueItemTransactionAbandoned]
        let envelope = EventEnvelopeFields(type: type, eventId: "1", timestamp: PayloadSamples.time,
                                           tenantId: 3, organizationUnitId: 9, userId: 44)
        let object = try parse(PayloadSamples.body(for: type, envelope: envelope))
        if withoutUser.contains(type) {
            #expect(object["UserId"] == nil)
        } else {
            #expect(object["UserId"] as? Int == 44)
        }
        #expect(object["OrganizationUnitId"] as? Int == 9)
        #expect(object["TenantId"] as? Int == 3)
    }

    @Test func folderIsOmittedWhenUnsetExceptOnPing() throws {
        let job = try parse(PayloadSamples.body(for: .jobStarted, envelope: .init(
            type: .jobStarted, eventId: "1", timestamp: PayloadSamples.time, organizationUnitId: nil)))
        #expect(job.keys.contains("OrganizationUnitId") == false)
        let ping = try parse(EventPayloads.pingBody(.init(type: .ping, eventId: "1", timestamp: PayloadSamples.time)))
        #expect(ping["OrganizationUnitId"] is NSNull)
        #expect(ping["UserId"] is NSNull)
    }

    @Test(arguments: ProcessingException.Kind.allCases)
    func failedItemCarriesExceptionType(kind: ProcessingException.Kind) throws {
        var item = PayloadSamples.item(status: .failed)
        item.processingException = ProcessingException(reason: "r", details: "d", type: kind)
        let envelope = EventEnvelopeFields(type: .queueItemTransactionFailed, eventId: "1", timestamp: PayloadSamples.time)
        let object = try parse(EventPayloads.body(envelope, queue: PayloadSamples.queue, item: item))
        let queueItem = try #require(object["QueueItem"] as? [String: Any])
        let exception = try #require(queueItem["ProcessingException"] as? [String: Any])
        #expect(exception["Type"] as? String == kind.rawValue)
        #expect(kind.rawValue == (kind == .business ? "BusinessException" : "ApplicationException"))
    }

    @Test func sameInputsGiveSameBytes() {
        for type in EventCatalog.all.map(\.type) {
            #expect(PayloadSamples.body(for: type) == PayloadSamples.body(for: type), "\(type)")
        }
    }

    @Test func timestampsUseTrimmedFractions() throws {
        func formatted(_ text: String) throws -> String {
            var writer = JSONWriter()
            writer.timestamp(try #require(Timestamp(rfc3339: text)))
            return String(decoding: writer.bytes, as: UTF8.self)
        }
        #expect(try formatted("2026-11-29T15:27:41.579079Z") == #""2026-11-29T15:27:41.579079Z""#)
        #expect(try formatted("2018-11-26T14:14:25.637Z") == #""2018-11-26T14:14:25.637Z""#)
        #expect(try formatted("2018-11-26T14:22:58.448960Z") == #""2018-11-26T14:22:58.44896Z""#)
        #expect(try formatted("2026-01-01T00:00:00Z") == #""2026-01-01T00:00:00Z""#)
        #expect(try formatted("1969-12-31T23:59:59.9Z") == #""1969-12-31T23:59:59.9Z""#)
    }

    /// The payload formatter agrees with EventModel's RFC 3339 text (six
    /// digits), trimmed, over years 385–9892.
    @Test func timestampsAgreeWithEventModel() {
        var rng = SplitMix64(seed: 3)
        for _ in 0..<10_000 {
            let micros = Int64(rng.next() % 250_000_000_000_000_000) - 50_000_000_000_000_000
            // Half of them whole seconds, which have no fraction at all.
            let time = Timestamp(microsecondsSinceEpoch: rng.next() % 2 == 0 ? micros : micros / 1_000_000 * 1_000_000)
            let text = time.description
            let fraction = text.dropFirst(20).dropLast().replacing(/0+$/, with: "")
            let expected = fraction.isEmpty ? "\"\(text.prefix(19))Z\"" : "\"\(text.prefix(19)).\(fraction)Z\""
            var writer = JSONWriter()
            writer.timestamp(time)
            #expect(String(decoding: writer.bytes, as: UTF8.self) == expected, "\(micros)")
        }
    }

    @Test func integersKeepTheirSign() throws {
        let values = [0, 7, -1, 1_234_567_890_123, Int.max, Int.min]
        let body = EventPayloads.body(.init(type: .robotStatus, eventId: "1", timestamp: PayloadSamples.time),
                                      sessions: values.map {
            RobotSessionSnapshot(sessionId: $0, robotId: 1, hostMachineName: "m", state: .available,
                                 reportingTime: PayloadSamples.time)
        })
        let sessions = try #require(try parse(body)["Sessions"] as? [[String: Any]])
        #expect(sessions.map { ($0["SessionId"] as? NSNumber)?.int64Value } == values.map { Int64($0) })
    }

    @Test func stringsAreEscapedAndFreeFormOrderIsKept() throws {
        var job = PayloadSamples.job(state: .faulted)
        job.info = "System.Exception: \"Submit\" not found\r\n   at C:\\bots\\Main.xaml\u{1}"
        job.outputArguments = JSONFragment(["zeta": 1, "alpha": [true, nil, 2.5, .double(.nan)], "mid": "é"])
        let body = EventPayloads.body(.init(type: .jobFaulted, eventId: "1", timestamp: PayloadSamples.time), job: job)
        let object = try #require(try parse(body)["Job"] as? [String: Any])
        #expect(object["Info"] as? String == job.info)
        #expect(memberNames(body).contains(["zeta", "alpha", "mid"]))
        let alpha = try #require((object["OutputArguments"] as? [String: Any])?["alpha"] as? [Any])
        #expect(alpha.count == 4 && alpha[1] is NSNull && alpha[3] is NSNull)
    }

    @Test func v18FieldsAppearOnlyWhenSet() throws {
        var item = PayloadSamples.item(status: .new)
        item.reference = "INV-1"
        item.ancestorId = 22134
        item.retryNumber = 1
        let added = EventPayloads.body(.init(type: .queueItemAdded, eventId: "1", timestamp: PayloadSamples.time),
                                       queue: PayloadSamples.queue, items: [item])
        let element = try #require((try parse(added)["QueueItems"] as? [[String: Any]])?.first)
        #expect(element["Reference"] as? String == "INV-1")
        #expect(element["AncestorId"] as? Int == 22134)
        #expect(element["RetryNumber"] as? Int == 1)

        var job = PayloadSamples.job(state: .running)
        job.creationTime = PayloadSamples.time
        let started = EventPayloads.body(.init(type: .jobStarted, eventId: "1", timestamp: PayloadSamples.time), job: job)
        #expect(memberNames(started).contains("CreationTime"))
        #expect(!memberNames(PayloadSamples.body(for: .jobStarted)).contains("CreationTime"))
    }

    @Test func identifiersAreDeterministicAndWellFormed() {
        func draw(seed: UInt64) -> [String] {
            var rng = SplitMix64(seed: seed)
            var numeric = EventIdGenerator(style: .numeric, using: &rng)
            var guid = EventIdGenerator(style: .guid, using: &rng)
            return [numeric.next(using: &rng), numeric.next(using: &rng), guid.next(using: &rng),
                    Identifiers.uuid(using: &rng)]
        }
        let ids = draw(seed: 42)
        #expect(ids == draw(seed: 42))
        #expect(ids != draw(seed: 43))
        #expect(ids[0].count == 9 && ids[0].allSatisfy(\.isNumber))
        #expect(UInt64(ids[1]) == UInt64(ids[0])! + 1)
        #expect(ids[2].wholeMatch(of: /[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}/) != nil)
        #expect(ids[3].wholeMatch(of: /[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/) != nil)
    }

    @Test func guidsDoNotRepeat() {
        var rng = SplitMix64(seed: 7)
        let keys = (0..<10_000).map { _ in Identifiers.uuid(using: &rng) }
        #expect(Set(keys).count == keys.count)
    }

    /// A type sent to another family's builder would produce a wrong shape; it traps instead.
    @Test func builderRejectsTypeOfAnotherFamily() async {
        await #expect(processExitsWith: .failure) {
            let envelope = EventEnvelopeFields(type: .jobStarted, eventId: "1", timestamp: PayloadSamples.time)
            _ = EventPayloads.body(envelope, jobs: [])
        }
    }

    @Test func familiesCoverTheCatalog() {
        for entry in EventCatalog.all { #expect(PayloadFamily(entry.type) != nil, "\(entry.type)") }
        #expect(PayloadFamily(EventType(rawValue: "job.suspended")) == nil)
    }
}

// MARK: - Comparison helpers

private func parse(_ body: [UInt8]) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
}

/// The JSON type of a parsed value; Foundation parses booleans as NSNumber
/// with objCType "c", integers "i"/"q", other numbers "d".
private func kind(_ value: Any) -> String {
    switch value {
    case is NSNull: "null"
    case is String: "string"
    case is [Any]: "array"
    case is [String: Any]: "object"
    case let number as NSNumber:
        switch String(cString: number.objCType) {
        case "c": "bool"
        case "d", "f": "double"
        default: "integer"
        }
    default: "unknown"
    }
}

/// Paths where `actual` differs from `expected` in member names, JSON types or array lengths.
private func shapeDifferences(_ actual: Any, _ expected: Any, path: String) -> [String] {
    guard kind(actual) == kind(expected) else { return ["\(path): \(kind(actual)) vs \(kind(expected))"] }
    if let actual = actual as? [String: Any], let expected = expected as? [String: Any] {
        let names = Set(actual.keys).union(expected.keys).sorted()
        return names.flatMap { name -> [String] in
            guard let a = actual[name] else { return ["\(path).\(name): missing"] }
            guard let e = expected[name] else { return ["\(path).\(name): unexpected"] }
            return shapeDifferences(a, e, path: "\(path).\(name)")
        }
    }
    if let actual = actual as? [Any], let expected = expected as? [Any] {
        guard actual.count == expected.count else { return ["\(path): \(actual.count) vs \(expected.count) elements"] }
        return zip(actual, expected).enumerated().flatMap { shapeDifferences($1.0, $1.1, path: "\(path)[\($0)]") }
    }
    return []
}

/// Object member names in document order (a string followed by `:`), so key
/// order is compared too; JSONSerialization's dictionaries lose it.
private func memberNames(_ json: [UInt8]) -> [String] {
    var names: [String] = []
    var index = 0
    while index < json.count {
        guard json[index] == UInt8(ascii: "\"") else { index += 1; continue }
        var end = index + 1
        while json[end] != UInt8(ascii: "\"") { end += json[end] == UInt8(ascii: "\\") ? 2 : 1 }
        var next = end + 1
        while next < json.count, json[next] == 0x20 || json[next] == 0x0A || json[next] == 0x0D || json[next] == 0x09 {
            next += 1
        }
        if next < json.count, json[next] == UInt8(ascii: ":") {
            names.append(String(decoding: json[(index + 1)..<end], as: UTF8.self))
        }
        index = end + 1
    }
    return names
}
