@testable import EventModel
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

    /// Property: string content is judged as a byte-at-a-time reading of RFC 8259
    /// judges it, and decodes to the same bytes, wherever escapes, escaped
    /// backslashes and bad bytes fall in the eight-byte words the scanner reads.
    @Test func stringsAgreeWithAByteWiseReference() {
        let accepted = compareWithReference(seed: 17, plainShare: 4, maximumPieces: 16) { generator in
            Self.stringPieces.randomElement(using: &generator)!
        }
        #expect(accepted > 1000 && accepted < 19_000, "both verdicts are exercised")
    }

    /// Property: the same, in text made mostly of plain bytes and `\"`, as a
    /// body is, long enough for the sixteen-byte chunks the scanner takes
    /// whole when they hold nothing else: escaped backslashes, stray quotes
    /// and backslashes, and bad bytes land at every lane of a chunk and across
    /// chunk boundaries.
    @Test func escapedQuoteRunsAgreeWithAByteWiseReference() {
        let rare: [[UInt8]] = [Array(#"\\"#.utf8), [0x22], [0x5C], Array(#"\n"#.utf8), [0x01], [0xC3, 0xA9], [0xFF]]
        let accepted = compareWithReference(seed: 23, plainShare: 2, maximumPieces: 60) { generator in
            Int.random(in: 0..<8, using: &generator) == 0 ? rare.randomElement(using: &generator)! : Array(#"\""#.utf8)
        }
        #expect(accepted > 1000 && accepted < 19_000, "both verdicts are exercised")
    }

    private static let stringPieces: [[UInt8]] = [
        Array("a".utf8), Array(#"\""#.utf8), Array(#"\\"#.utf8), Array(#"\n"#.utf8), Array(#"\/"#.utf8),
        Array(#"\u00e9"#.utf8), Array(#"\ud83d\ude00"#.utf8), Array(#"\ud800"#.utf8), Array(#"\udc00"#.utf8),
        Array(#"\x"#.utf8), Array(#"\u12"#.utf8), [0x5C], [0x22], [0x01], [0x7F],
        Array("é€😀".utf8), [0xFF], [0xE2, 0x82], [0xC0, 0x80],
    ]

    /// Parses 20,000 records whose body is a few plain bytes, then up to
    /// `maximumPieces` more, each a `piece` with one chance in `plainShare`
    /// and else a plain byte; expects the reference's verdict and decoding,
    /// and returns how many bodies were accepted.
    private func compareWithReference(
        seed: UInt64, plainShare: Int, maximumPieces: Int, piece: (inout SeededGenerator) -> [UInt8]
    ) -> Int {
        let prefix = Array(#"{"v":1,"seq":1,"instance":"i","received_at":"2026-11-29T00:00:00Z","method":"POST","path":"/","query":"","headers":{},"body":""#.utf8)
        var generator = SeededGenerator(seed: seed)
        var accepted = 0
        for _ in 0..<20_000 {
            var body = Array(repeating: UInt8(ascii: "a"), count: Int.random(in: 0..<8, using: &generator))
            for _ in 0..<Int.random(in: 0...maximumPieces, using: &generator) {
                // Mostly plain text, as in real bodies, so that escapes land anywhere in a word.
                body += Int.random(in: 0..<plainShare, using: &generator) == 0 ? piece(&generator) : Array("a".utf8)
            }
            let expected = ReferenceJSONString.decode(body)
            let parsed = try? RecordLine((prefix + body + Array(#""}"#.utf8))[...])
            #expect((parsed != nil) == (expected != nil), "\(String(decoding: body, as: UTF8.self))")
            if let parsed, let expected {
                accepted += 1
                #expect(parsed.body == expected)
            }
        }
        return accepted
    }

    /// Keys written as the writer writes them are matched whole, in its order;
    /// the same members in any other order or spelling (whitespace, escaped
    /// names, unknown and repeated keys) must parse to the same record.
    @Test func membersInAnyOrderOrSpellingParseAlike() throws {
        var factory = RecordFactory(seed: 31)
        var generator = SeededGenerator(seed: 5)
        let replaced = #""repeated, then replaced""#
        let replaceable: [RecordField] = [.instance, .method, .path, .query, .type, .eventId, .remote]
        for _ in 0..<500 {
            let record = factory.random()
            var repeated: [String] = []
            var members: [String] = []
            for (name, value) in try writtenMembers(of: Array(record.line.dropLast())) {
                let field = try #require(RecordField(rawValue: name))
                var key = "\"\(name)\""
                if Bool.random(using: &generator) {
                    // The same name with its first letter escaped.
                    key = "\"\\u00\(String(name.unicodeScalars.first!.value, radix: 16))\(name.dropFirst())\""
                }
                if replaceable.contains(field), Int.random(in: 0..<3, using: &generator) == 0 { repeated.append(key + ":" + replaced) }
                let space = Bool.random(using: &generator) ? " " : ""
                members.append(space + key + space + ":" + space + value)
            }
            members.append(#""x-unknown":[1,{"a":null}]"#)
            switch Int.random(in: 0..<3, using: &generator) {
            case 0: break  // the writer's order, some keys spelled otherwise
            case 1: members.reverse()
            default: members.shuffle(using: &generator)
            }
            // A repeated key's last value wins: the replaced ones come first.
            let line = Array(("{" + (repeated + members).joined(separator: ",") + "}").utf8)
            let parsed = try RecordLine(line[...])
            #expect(parsed.seq == record.seq)
            #expect(parsed.receivedAt == record.receivedAt)
            #expect(parsed.decode() == record, "\(String(decoding: line, as: UTF8.self))")
        }
    }

    /// The members of a line as the writer wrote them: each key's name and its value's text.
    private func writtenMembers(of line: [UInt8]) throws -> [(name: String, value: String)] {
        var members: [(name: String, value: String)] = []
        try line.withUnsafeBufferPointer { buffer throws(JSONSyntaxError) in
            var scanner = JSONScanner(buffer)
            try scanner.scanObject { scanner, key throws(JSONSyntaxError) in
                let start = scanner.index
                try scanner.skipValue()
                members.append((scanner.decodeString(key), String(decoding: buffer[start..<scanner.index], as: UTF8.self)))
            }
        }
        return members
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

/// RFC 8259 string content read a byte at a time: the bytes it stands for, or
/// nil if it is not valid inside a JSON string.
private enum ReferenceJSONString {
    static func decode(_ content: [UInt8]) -> [UInt8]? {
        // What is not escaped must be well-formed UTF-8 (the standard library judges).
        guard String(validating: content, as: UTF8.self) != nil else { return nil }
        func hexQuad(at index: Int) -> UInt32? {
            let hexDigits = Array("0123456789abcdefABCDEF".utf8)
            guard index + 4 <= content.count, content[index..<index + 4].allSatisfy(hexDigits.contains) else { return nil }
            return UInt32(String(decoding: content[index..<index + 4], as: UTF8.self), radix: 16)
        }
        var output: [UInt8] = []
        var i = 0
        while i < content.count {
            let byte = content[i]
            if byte == UInt8(ascii: "\"") || byte < 0x20 { return nil }
            if byte != UInt8(ascii: "\\") {
                output.append(byte)
                i += 1
                continue
            }
            guard i + 1 < content.count else { return nil }
            let escaped = content[i + 1]
            i += 2
            switch escaped {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): output.append(escaped)
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "u"):
                guard var scalar = hexQuad(at: i) else { return nil }
                i += 4
                if (0xDC00...0xDFFF).contains(scalar) { return nil }
                if (0xD800...0xDBFF).contains(scalar) {
                    guard i + 6 <= content.count, content[i] == UInt8(ascii: "\\"), content[i + 1] == UInt8(ascii: "u"),
                          let low = hexQuad(at: i + 2), (0xDC00...0xDFFF).contains(low) else { return nil }
                    i += 6
                    scalar = 0x10000 + (scalar - 0xD800) << 10 + (low - 0xDC00)
                }
                output += Array(String(Character(Unicode.Scalar(scalar)!)).utf8)
            default:
                return nil
            }
        }
        return output
    }
}
