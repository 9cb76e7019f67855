/// Edits an event body in place of its bytes: a new top-level `EventId`, new
/// `Key`s and `Id`s for the jobs and queue items it is about, and/or every
/// date-time string shifted by a whole number of seconds. Everything else (key
/// order, spacing, escapes, number spelling) is copied byte for byte, so a
/// rewritten body differs from the recorded one only where asked.
///
/// Timestamps shift by whole seconds so the fraction and zone text of each value
/// can be kept exactly as Orchestrator wrote them (7-digit .NET fractions,
/// `+02:00` offsets); gaps between events are kept exactly.
public struct EventBodyRewrite: Sendable, Equatable {
    /// The new `EventId` (a JSON string), or nil to keep the recorded one.
    public var eventId: String?
    /// Seconds added to every `YYYY-MM-DDTHH:MM:SS…` string value, at any depth.
    public var timeShiftSeconds: Int64
    /// The identities that replace the recorded ones of the entities in the
    /// top-level `Job`, `Jobs`, `QueueItem` and `QueueItems`: each entity's
    /// `Key`, `Id`, and a queue item's `AncestorId` and `ManualAncestorId`
    /// (earlier `Id`s of the same item). Nil keeps them as recorded.
    public var entities: FreshEntities?

    public init(eventId: String? = nil, timeShiftSeconds: Int64 = 0, entities: FreshEntities? = nil) {
        self.eventId = eventId
        self.timeShiftSeconds = timeShiftSeconds
        self.entities = entities
    }

    public var isIdentity: Bool { eventId == nil && timeShiftSeconds == 0 && entities == nil }

    /// The rewritten body, or nil when `body` is not a JSON object (it is then
    /// sent as recorded).
    public func apply(to body: [UInt8]) -> [UInt8]? {
        if isIdentity { return body }
        return body.withUnsafeBufferPointer { buffer -> [UInt8]? in
            guard buffer.count < JSONScanner.maximumInputSize else { return nil }
            var edits: [(range: Range<Int>, replacement: [UInt8])] = []
            var scanner = JSONScanner(buffer)
            do throws(JSONSyntaxError) {
                try scanner.scanObject { scanner, key throws(JSONSyntaxError) in
                    if let eventId, scanner.string(key, equals: "EventId") {
                        let start = scanner.indexAfterWhitespace()
                        try scanner.skipValue()
                        var writer = JSONWriter(reservingCapacity: eventId.utf8.count + 2)
                        writer.string(eventId)
                        edits.append((start..<scanner.index, writer.bytes))
                    } else if let entities, Self.holdsEntities(key, scanner) {
                        try collectEntities(&scanner, entities, into: &edits)
                    } else {
                        try collectTimestamps(&scanner, depth: 1, into: &edits)
                    }
                }
                scanner.skipWhitespace()
                guard scanner.isAtEnd else { return nil }
            } catch {
                return nil
            }
            var out: [UInt8] = []
            out.reserveCapacity(buffer.count + 64)
            var copied = 0
            for edit in edits {
                out.append(contentsOf: buffer[copied..<edit.range.lowerBound])
                out.append(contentsOf: edit.replacement)
                copied = edit.range.upperBound
            }
            out.append(contentsOf: buffer[copied...])
            return out
        }
    }

    /// Whether a top-level member holds the jobs or queue items an event is
    /// about (docs/orchestrator-webhooks.md §3.4, §3.6).
    private static func holdsEntities(_ key: JSONStringSlice, _ scanner: JSONScanner) -> Bool {
        scanner.string(key, equals: "Job") || scanner.string(key, equals: "Jobs")
            || scanner.string(key, equals: "QueueItem") || scanner.string(key, equals: "QueueItems")
    }

    /// Walks an entity object or an array of them, noting the new identities
    /// (and the date-times) in each.
    private func collectEntities(
        _ scanner: inout JSONScanner, _ entities: FreshEntities, into edits: inout [(range: Range<Int>, replacement: [UInt8])]
    ) throws(JSONSyntaxError) {
        switch scanner.peekAfterWhitespace() {
        case UInt8(ascii: "{"):
            try collectEntity(&scanner, entities, depth: 1, into: &edits)
        case UInt8(ascii: "["):
            _ = scanner.consume(UInt8(ascii: "["))
            if scanner.consume(UInt8(ascii: "]")) { return }
            repeat {
                if scanner.peekAfterWhitespace() == UInt8(ascii: "{") {
                    try collectEntity(&scanner, entities, depth: 2, into: &edits)
                } else {
                    try collectTimestamps(&scanner, depth: 2, into: &edits)
                }
            } while scanner.consume(UInt8(ascii: ","))
            try scanner.expect(UInt8(ascii: "]"), "',' or ']'")
        default:
            try collectTimestamps(&scanner, depth: 1, into: &edits)
        }
    }

    /// One job or queue item: its string `Key` and integer ids get their new
    /// values; other members are walked for date-times.
    private func collectEntity(
        _ scanner: inout JSONScanner, _ entities: FreshEntities, depth: Int,
        into edits: inout [(range: Range<Int>, replacement: [UInt8])]
    ) throws(JSONSyntaxError) {
        try scanner.scanObject { scanner, member throws(JSONSyntaxError) in
            let next = scanner.peekAfterWhitespace()
            if next == UInt8(ascii: "\""), scanner.string(member, equals: "Key") {
                let start = scanner.index
                let slice = try scanner.scanString()
                let key = slice.hasEscapes
                    ? scanner.decodeBytes(slice).withUnsafeBytes { entities.key(replacing: $0) }
                    : entities.key(replacing: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: scanner.bytes[slice.range])))
                edits.append((start..<scanner.index, GUIDText.quotedDashed(key.high, key.low)))
            } else if let next, next == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(next),
                      Self.namesAnId(member, scanner) {
                let number = try scanner.scanNumber()
                guard let id = scanner.integerValue(number) else { return }
                var writer = JSONWriter(reservingCapacity: 20)
                writer.integer(entities.id(replacing: id))
                edits.append((number.range, writer.bytes))
            } else {
                try collectTimestamps(&scanner, depth: depth + 1, into: &edits)
            }
        }
    }

    /// `Id`, or a queue item's reference to an earlier `Id` of itself.
    private static func namesAnId(_ member: JSONStringSlice, _ scanner: JSONScanner) -> Bool {
        scanner.string(member, equals: "Id") || scanner.string(member, equals: "AncestorId")
            || scanner.string(member, equals: "ManualAncestorId")
    }

    /// Walks one value, noting a replacement for each date-time string in it.
    private func collectTimestamps(
        _ scanner: inout JSONScanner, depth: Int, into edits: inout [(range: Range<Int>, replacement: [UInt8])]
    ) throws(JSONSyntaxError) {
        guard depth < JSONScanner.maximumDepth else { throw scanner.error("nesting too deep") }
        switch scanner.peekAfterWhitespace() {
        case UInt8(ascii: "\""):
            let slice = try scanner.scanString()
            guard timeShiftSeconds != 0, !slice.hasEscapes,
                  let shifted = shiftedDateTime(UnsafeBufferPointer(rebasing: scanner.bytes[slice.range]))
            else { return }
            edits.append((slice.range, shifted))
        case UInt8(ascii: "{"):
            try scanner.scanObject { scanner, _ throws(JSONSyntaxError) in
                try collectTimestamps(&scanner, depth: depth + 1, into: &edits)
            }
        case UInt8(ascii: "["):
            _ = scanner.consume(UInt8(ascii: "["))
            if scanner.consume(UInt8(ascii: "]")) { return }
            repeat {
                try collectTimestamps(&scanner, depth: depth + 1, into: &edits)
            } while scanner.consume(UInt8(ascii: ","))
            try scanner.expect(UInt8(ascii: "]"), "',' or ']'")
        default:
            try scanner.skipValue(depth: depth)
        }
    }

    /// Seconds since the epoch whose year has four digits (0000-9999).
    private static let fourDigitYears =
        CivilDate.daysSinceEpoch(year: 0, month: 1, day: 1) * 86_400
            ..< CivilDate.daysSinceEpoch(year: 10_000, month: 1, day: 1) * 86_400

    /// `text` with its leading `YYYY-MM-DDTHH:MM:SS` moved by the shift and the
    /// rest (fraction, zone) kept; nil when it does not start like that.
    private func shiftedDateTime(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let civilLength = 19
        guard text.count >= civilLength else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for index in range {
                let digit = text[index] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                value = value * 10 + Int64(digit)
            }
            return value
        }
        guard text[4] == UInt8(ascii: "-"), text[7] == UInt8(ascii: "-"),
              text[10] == UInt8(ascii: "T") || text[10] == UInt8(ascii: "t"),
              text[13] == UInt8(ascii: ":"), text[16] == UInt8(ascii: ":"),
              let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              (1...12).contains(month), day >= 1, day <= CivilDate.daysIn(month: month, year: year),
              hour < 24, minute < 60, second < 61
        else { return nil }
        let days = CivilDate.daysSinceEpoch(year: year, month: month, day: day)
        let total = days * 86_400 + hour * 3600 + minute * 60 + second + timeShiftSeconds
        guard Self.fourDigitYears.contains(total) else { return nil }
        var out = Array(text)
        out.withUnsafeMutableBufferPointer { Timestamp(microsecondsSinceEpoch: total * 1_000_000).writeDateAndTime(to: $0.baseAddress!) }
        out[10] = text[10]  // keeps a lower-case `t`
        return out
    }
}

extension JSONScanner {
    /// Skips whitespace and returns the cursor.
    mutating func indexAfterWhitespace() -> Int {
        skipWhitespace()
        return index
    }
}

extension EventBodyRewrite {
    /// The top-level `Timestamp` of an event body, when it has a valid one.
    public static func eventTimestamp(in body: [UInt8]) -> Timestamp? {
        body.withUnsafeBufferPointer { buffer -> Timestamp? in
            guard buffer.count < JSONScanner.maximumInputSize else { return nil }
            var scanner = JSONScanner(buffer)
            var found: Timestamp?
            do throws(JSONSyntaxError) {
                _ = try scanner.scanObjectPrefix { scanner, key throws(JSONSyntaxError) in
                    guard scanner.string(key, equals: "Timestamp"), scanner.peekAfterWhitespace() == UInt8(ascii: "\"") else {
                        try scanner.skipValue()
                        return true
                    }
                    let slice = try scanner.scanString()
                    found = Timestamp(rfc3339: scanner.decodeString(slice))
                    return false
                }
            } catch {
                return nil
            }
            return found
        }
    }
}
