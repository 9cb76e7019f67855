import EventModel
import Foundation
import Testing
import TestSupport

struct RecordCodecTests {
    private func parse(_ line: String) throws(RecordLineError) -> RecordLine {
        try RecordLine(Array(line.utf8)[...])
    }

    @Test func encodesTheDocumentedFieldNamesInOrder() {
        let record = RecordedRequest(
            seq: 7, instance: "rec-1", receivedAt: Timestamp(rfc3339: "2026-11-29T15:27:41.123456Z")!,
            path: "/hook", query: "a=1",
            headers: [HeaderField(name: "x-uipath-signature", value: "abc=")],
            body: Array(#"{"Type":"ping"}"#.utf8), type: "ping", eventId: "e1", remote: "127.0.0.1:5000",
            signature: .valid, status: 202, source: .recorded, upstreamStatus: 200, upstreamMilliseconds: 12.5,
            redacted: ["/Job/InputArguments", "/a~1b"])
        let expected = #"{"v":1,"seq":7,"instance":"rec-1","received_at":"2026-11-29T15:27:41.123456Z","method":"POST","path":"/hook","query":"a=1","headers":{"x-uipath-signature":"abc="},"body":"{\"Type\":\"ping\"}","type":"ping","event_id":"e1","remote":"127.0.0.1:5000","signature":"valid","status":202,"source":"recorded","upstream_status":200,"upstream_ms":12.5,"redacted":["/Job/InputArguments","/a~1b"]}"# + "\n"
        #expect(String(decoding: record.line, as: UTF8.self) == expected)
        let line = try? RecordLine(record.line.dropLast())
        #expect(line?.isRedacted == true)
        #expect(line?.redacted == ["/Job/InputArguments", "/a~1b"])
    }

    @Test func nonUTF8BodiesAreWrittenAsBase64() throws {
        var factory = RecordFactory()
        let record = factory.record(body: [0x7B, 0xFF, 0xFE, 0x7D], type: nil, eventId: nil, gapMicroseconds: 0)
        let text = String(decoding: record.line, as: UTF8.self)
        #expect(text.contains(#""body_b64":"e//+fQ==""#))
        #expect(!text.contains(#""body":"#))
        let decoded = try RecordLine(record.line.dropLast()).decode()
        #expect(decoded.body == [0x7B, 0xFF, 0xFE, 0x7D])
    }

    /// Property: any record survives encode -> decode unchanged, and Foundation's
    /// parser reads the same values out of the line (the codec is real JSON).
    @Test func randomRecordsRoundTripAndAgreeWithFoundation() throws {
        var factory = RecordFactory(seed: 2026)
        for _ in 0..<2000 {
            let record = factory.random()
            let line = record.line
            #expect(line.last == UInt8(ascii: "\n"))
            #expect(!line.dropLast().contains(UInt8(ascii: "\n")), "a record must fit on one line")
            let parsed = try RecordLine(line.dropLast())
            #expect(parsed.seq == record.seq)
            #expect(parsed.receivedAt == record.receivedAt)
            #expect(parsed.type == record.type)
            #expect(parsed.decode() == record)

            let object = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
            #expect(object["seq"] as? Int == Int(record.seq))
            #expect(object["instance"] as? String == record.instance)
            #expect(object["path"] as? String == record.path)
            #expect(object["type"] as? String == record.type)
            let headers = try #require(object["headers"] as? [String: String])
            #expect(headers.count == Set(record.headers.map(\.name)).count)
            if let body = object["body"] as? String {
                #expect(Array(body.utf8) == record.body)
            } else {
                let base64 = try #require(object["body_b64"] as? String)
                #expect(Data(base64Encoded: base64).map(Array.init) == record.body)
            }
        }
    }

    /// A reader must skip such a line with its location, not replay an empty body.
    @Test func invalidBase64BodiesAreRejectedWhenParsed() {
        for body in [#""e//+fQ=""#, #""not base64!""#, #""e//+fQ""#] {
            let line = #"{"v":1,"seq":1,"instance":"i","received_at":"2026-11-29T00:00:00Z","method":"POST","path":"/","query":"","headers":{},"body_b64":"# + body + "}"
            #expect(throws: RecordLineError.invalidBase64(field: "body_b64"), "\(body)") { try parse(line) }
        }
        // Checked after JSON unescaping: `\u0051` is `Q`.
        let valid = #"{"v":1,"seq":1,"instance":"i","received_at":"2026-11-29T00:00:00Z","method":"POST","path":"/","query":"","headers":{},"body_b64":"e//+f\u0051=="}"#
        #expect((try? parse(valid))?.body == [0x7B, 0xFF, 0xFE, 0x7D])
    }

    @Test func unknownFieldsAreIgnored() throws {
        let line = #"{"future":{"nested":[1,2.5e3,null,true]},"v":1,"seq":3,"instance":"i","received_at":"2026-11-29T00:00:00Z","method":"POST","path":"/","query":"","headers":{},"body":"x","also_new":"y"}"#
        let record = try parse(line).decode()
        #expect(record.seq == 3)
        #expect(record.body == Array("x".utf8))
        #expect(record.type == nil)
    }

    @Test(arguments: RecordField.allCases.filter { ![.body, .bodyBase64].contains($0) && $0.isRequiredForTest })
    func everyRequiredFieldIsRequired(field: RecordField) {
        var object: [(String, String)] = [("v", "1"), ("seq", "1"), ("instance", "\"i\""), ("received_at", "\"2026-11-29T00:00:00Z\""),
                                          ("method", "\"POST\""), ("path", "\"/\""), ("query", "\"\""), ("headers", "{}"), ("body", "\"b\"")]
        object.removeAll { $0.0 == field.rawValue }
        let line = "{" + object.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
        #expect(throws: RecordLineError.missingField(field.rawValue)) { try parse(line) }
    }

    @Test func aBodyOrBodyBase64IsRequired() {
        let line = #"{"v":1,"seq":1,"instance":"i","received_at":"2026-11-29T00:00:00Z","method":"POST","path":"/","query":"","headers":{}}"#
        #expect(throws: RecordLineError.missingField("body")) { try parse(line) }
    }

    @Test(arguments: [
        (#""seq":"1""#, RecordLineError.wrongType(field: "seq", expected: "an integer")),
        (#""seq":1.5"#, RecordLineError.wrongType(field: "seq", expected: "an integer")),
        (#""headers":{"a":1}"#, RecordLineError.wrongType(field: "headers", expected: "an object of strings")),
        (#""received_at":"yesterday""#, RecordLineError.invalidTimestamp(field: "received_at")),
        (#""v":2"#, RecordLineError.unsupportedVersion(2)),
        (#""status":"202""#, RecordLineError.wrongType(field: "status", expected: "an integer")),
        (#""redacted":"/a""#, RecordLineError.wrongType(field: "redacted", expected: "an array of strings")),
        (#""redacted":["/a",1]"#, RecordLineError.wrongType(field: "redacted", expected: "an array of strings")),
    ])
    func wrongTypesAreNamed(override: String, error: RecordLineError) {
        let key = String(override.split(separator: ":")[0])
        var members = [#""v":1"#, #""seq":1"#, #""instance":"i""#, #""received_at":"2026-11-29T00:00:00Z""#, #""method":"POST""#,
                       #""path":"/""#, #""query":"""#, #""headers":{}"#, #""body":"b""#]
        members.removeAll { $0.hasPrefix(key + ":") }
        members.append(override)
        #expect(throws: error) { try parse("{" + members.joined(separator: ",") + "}") }
    }

    @Test(arguments: [
        "", "{", "[]", "null", #"{"v":1,}"#, #"{"v":01}"#, #"{"v":1} x"#, "{\"a\":\"\u{01}\"}",
        #"{"a":"\x"}"#, #"{"a":"\ud800"}"#, #"{"a":"\udc00"}"#, #"{"a":tru}"#, #"{"a":-}"#, #"{"a":1.}"#, #"{"a" 1}"#,
    ])
    func malformedJSONIsRejectedAsSuch(line: String) {
        #expect {
            try parse(line)
        } throws: { error in
            guard let error = error as? RecordLineError, case .notJSON = error else { return false }
            return true
        }
    }

    @Test func invalidUTF8InsideAStringIsRejected() {
        var line = Array(#"{"v":1,"seq":1,"instance":"i","received_at":"2026-11-29T00:00:00Z","method":"POST","path":"/","query":"","headers":{},"body":"?"}"#.utf8)
        let question = line.lastIndex(of: UInt8(ascii: "?"))!
        for bad: [UInt8] in [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xE2, 0x82]] {
            var copy = line
            copy.replaceSubrange(question...question, with: bad)
            #expect(throws: (any Error).self) { try RecordLine(copy[...]) }
        }
        line[question] = UInt8(ascii: "x")
        #expect(throws: Never.self) { try RecordLine(line[...]) }
    }

    /// Fuzz: random mutations of valid lines never crash the parser, and whatever
    /// it accepts is valid JSON by Foundation's judgement too.
    @Test func mutatedLinesNeverCrashAndAcceptedOnesAreJSON() throws {
        var factory = RecordFactory(seed: 99)
        var generator = SeededGenerator(seed: 7)
        var accepted = 0
        for _ in 0..<3000 {
            var line = Array(factory.random().line.dropLast())
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                let index = Int.random(in: 0..<line.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: line[index] = UInt8.random(in: 0...255, using: &generator)
                case 1: line.remove(at: index)
                default: line.removeSubrange(index...)
                }
                if line.isEmpty { break }
            }
            if let record = try? RecordLine(line[...]) {
                accepted += 1
                #expect((try? JSONSerialization.jsonObject(with: Data(line))) != nil, "accepted: \(String(decoding: line, as: UTF8.self))")
                _ = record.decode()
            }
        }
        #expect(accepted > 0, "some mutations (inside string values) keep the line valid")
    }
}

extension RecordField {
    var isRequiredForTest: Bool {
        [.version, .seq, .instance, .receivedAt, .method, .path, .query, .headers].contains(self)
    }
}
