import EventModel

/// Builds records for tests: realistic ones, and random ones that exercise
/// every corner of the codec (escapes, non-ASCII, control characters, binary bodies).
public struct RecordFactory {
    public var generator: SeededGenerator
    public let instance: String
    public private(set) var nextSeq: Int64
    public private(set) var clock: Timestamp

    public init(seed: UInt64 = 1, instance: String = "test-a", firstSeq: Int64 = 1,
                start: Timestamp = Timestamp(rfc3339: "2026-11-29T10:00:00Z")!) {
        generator = SeededGenerator(seed: seed)
        self.instance = instance
        nextSeq = firstSeq
        clock = start
    }

    /// A `job.completed`-like delivery, about 700 bytes of body.
    public mutating func event(type: EventType = .jobCompleted, gapMicroseconds: Int64 = 1000) -> RecordedRequest {
        let eventId = String(Int.random(in: 10_000_000...99_999_999, using: &generator))
        let body = #"{"Type":"\#(type.rawValue)","EventId":"\#(eventId)","Timestamp":"2026-11-29T10:00:00.1234567Z","Job":{"Id":\#(Int.random(in: 1...1_000_000, using: &generator)),"Key":"6f1c2c1e-8d0b-4a0e-9f55-2d6f3c7a9b10","State":"Successful","Info":"Job completed","OutputArguments":{"Count":3,"Note":"line1\nline2 \"quoted\" é"},"Robot":{"Id":4,"Name":"robot-004","MachineName":"VM-RPA-01"}},"TenantId":1,"OrganizationUnitId":12}"#
        return record(body: Array(body.utf8), type: type.rawValue, eventId: eventId, gapMicroseconds: gapMicroseconds)
    }

    /// A record with random content in every field, optional ones included at random.
    public mutating func random() -> RecordedRequest {
        let binaryBody = Int.random(in: 0..<5, using: &generator) == 0
        let body: [UInt8] = binaryBody
            ? (0..<Int.random(in: 1...64, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) } + [0xFF]
            : Array(randomText(maxLength: 300).utf8)
        var record = self.record(body: body, type: maybe { $0.randomText(maxLength: 30) },
                                 eventId: maybe { $0.randomText(maxLength: 12) },
                                 gapMicroseconds: Int64.random(in: 0...5_000_000, using: &generator))
        record.method = ["POST", "PUT", "GET", "PATCH"].randomElement(using: &generator)!
        record.path = "/" + randomText(maxLength: 40)
        record.query = randomText(maxLength: 20)
        record.headers = (0..<Int.random(in: 0...6, using: &generator)).map { index in
            HeaderField(name: "h\(index)-" + randomText(maxLength: 10).lowercased(), value: randomText(maxLength: 60))
        }
        record.remote = maybe { $0.randomText(maxLength: 21) }
        record.signature = maybe { [SignatureVerdict.valid, .invalid, .missing, .unchecked].randomElement(using: &$0.generator)! }
        record.status = maybe { Int.random(in: 100...599, using: &$0.generator) }
        record.source = maybe { [RecordSource.recorded, .synthesized].randomElement(using: &$0.generator)! }
        record.upstreamStatus = maybe { Int.random(in: 100...599, using: &$0.generator) }
        record.upstreamMilliseconds = maybe { Double(Int.random(in: 0...100_000, using: &$0.generator)) / 8 }
        // From the seq, not the generator: the records other tests were tuned on stay the same.
        record.redacted = record.seq % 3 == 0 ? (0..<Int(record.seq % 4)).map { "/Job/\($0)~1\"é" } : nil
        return record
    }

    public mutating func record(body: [UInt8], type: String?, eventId: String?, gapMicroseconds: Int64) -> RecordedRequest {
        clock = Timestamp(microsecondsSinceEpoch: clock.microsecondsSinceEpoch + gapMicroseconds)
        defer { nextSeq += 1 }
        return RecordedRequest(
            seq: nextSeq, instance: instance, receivedAt: clock, path: "/hook",
            headers: [HeaderField(name: "content-type", value: "application/json; charset=utf-8"),
                      HeaderField(name: "user-agent", value: "UiPath-WebhookService/Webhooks")],
            body: body, type: type, eventId: eventId, remote: "127.0.0.1:50000",
            signature: .unchecked, status: 202, source: .recorded)
    }

    /// Text mixing ASCII, JSON-special characters, control characters and multi-byte scalars.
    public mutating func randomText(maxLength: Int) -> String {
        let alphabet: [Unicode.Scalar] = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\r", "\t", "\u{0}", "\u{1F}", "\u{7F}",
                                          "é", "ß", "中", "\u{2028}", "😀", "{", "}", "[", "]", ":", ","]
        var text = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...maxLength, using: &generator) {
            text.append(alphabet.randomElement(using: &generator)!)
        }
        return String(text)
    }

    private mutating func maybe<T>(_ make: (inout RecordFactory) -> T) -> T? {
        Bool.random(using: &generator) ? make(&self) : nil
    }
}
