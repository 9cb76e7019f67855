import EventModel
import Foundation
import Testing
import TestSupport

/// `RecordLine.header(_:)`, and string decoding (`RecordLine.body`) of lines
/// written by other tools, whose escapes hookreel's writer never produces.
struct RecordLineHeaderTests {
    private func line(headers: String, body: String = #""{}""#) -> String {
        #"{"v":1,"seq":1,"instance":"i","received_at":"2026-11-29T00:00:00Z","method":"POST","path":"/","query":"","headers":\#(headers),"body":\#(body)}"#
    }

    private func parse(_ text: String) throws -> RecordLine {
        try RecordLine(Array(text.utf8)[...])
    }

    // MARK: header(_:)

    @Test(arguments: ["x-uipath-signature", "X-UiPath-Signature", "X-UIPATH-SIGNATURE"])
    func headersAreFoundWhateverTheCaseAsked(name: String) throws {
        let record = try parse(line(headers: #"{"content-type":"application/json","x-uipath-signature":"abc="}"#))
        #expect(record.header(name) == "abc=")
        #expect(record.header("Content-Type") == "application/json")
    }

    /// Lines from other tools (imported with `hookreel pack`) may keep the
    /// sender's spelling of names.
    @Test(arguments: ["x-uipath-signature", "X-UiPath-Signature", "X-UIPATH-SIGNATURE"])
    func headersWrittenInMixedCaseAreFoundToo(name: String) throws {
        let record = try parse(line(headers: #"{"Content-Type":"application/json","X-UiPath-Signature":"abc="}"#))
        #expect(record.header(name) == "abc=")
    }

    @Test func aMissingHeaderIsNil() throws {
        let record = try parse(line(headers: #"{"content-type":"application/json"}"#))
        #expect(record.header("x-uipath-signature") == nil)
        #expect(record.header("") == nil)
        #expect(record.header("content-typ") == nil)
        #expect(record.header("content-type ") == nil)
    }

    @Test func aRecordWithoutHeadersHasNone() throws {
        let record = try parse(line(headers: "{}"))
        #expect(record.header("content-type") == nil)
        let spaced = try parse(line(headers: " { } "))
        #expect(spaced.header("content-type") == nil)
    }

    @Test func escapedNamesAndValuesAreDecoded() throws {
        let record = try parse(line(headers: #"{"x-\u0061":"tab\there \"q\" \u00e9 \ud83d\ude00 \/","x-b":"","x\u002dc":"\\"}"#))
        #expect(record.header("x-a") == "tab\there \"q\" é 😀 /")
        #expect(record.header("X-B") == "")
        #expect(record.header("x-c") == "\\")
    }

    @Test func theFirstOfRepeatedNamesWins() throws {
        let record = try parse(line(headers: #"{"x-a":"1","X-A":"2","x-a":"3"}"#))
        #expect(record.header("x-a") == "1")
    }

    @Test func headersOfWrittenRecordsAreFound() throws {
        var factory = RecordFactory(seed: 5)
        for _ in 0..<300 {
            let record = factory.random()
            let parsed = try RecordLine(record.line.dropLast())
            for header in record.headers {
                let first = record.headers.first { $0.name == header.name }!
                #expect(parsed.header(header.name) == first.value)
                let upper = String(String.UnicodeScalarView(header.name.unicodeScalars.map { ("a"..."z").contains($0) ? Unicode.Scalar($0.value - 32)! : $0 }))
                #expect(parsed.header(upper) == first.value)
            }
            #expect(parsed.header("not-a-header-\(record.seq)") == nil)
        }
    }

    // MARK: Bodies written by other tools

    static let escapeCases: [(json: String, expected: String)] = [
        (#""\u00e9\u00E9\u00c9""#, "ééÉ"),
        (#""\ud83d\ude00""#, "😀"),
        (#""\uD83D\uDE00x\uD83D\uDE00""#, "😀x😀"),
        (#""a\u2028b\u2029c""#, "a\u{2028}b\u{2029}c"),
        (#""\u0000\u001f\u007f""#, "\u{0}\u{1F}\u{7F}"),
        (#""\u4e2d\u6587""#, "中文"),
        (#""\/\/\"\\\b\f\n\r\t""#, "//\"\\\u{8}\u{C}\n\r\t"),
        (#""\\u00e9""#, "\\u00e9"),
        (#""\\\\\"""#, "\\\\\""),
        (#""plain""#, "plain"),
        (#""""#, ""),
        (#""\u0041""#, "A"),
        (#""x\u0041""#, "xA"),
        (#""\u0041x""#, "Ax"),
        (#""é\u00e9é""#, "ééé"),
        (#""{\"EventId\":\"\u0031\",\"Note\":\"caf\u00e9 \ud83d\udc4d\"}""#, #"{"EventId":"1","Note":"café 👍"}"#),
        (#""\uDBFF\uDFFF\uD800\uDC00""#, "\u{10FFFF}\u{10000}"),
        (#""\u07ff\u0800\uffff""#, "\u{7FF}\u{800}\u{FFFF}"),
    ]

    @Test(arguments: escapeCases)
    func foreignEscapesDecode(json: String, expected: String) throws {
        let record = try parse(line(headers: "{}", body: json))
        #expect(record.body == Array(expected.utf8))
        #expect(record.decode().body == Array(expected.utf8))
    }

    /// Property: a body written by a foreign writer that escapes at random
    /// (`\uXXXX` in either case with surrogate pairs, short escapes, `\/`, raw
    /// UTF-8) reads back as the original bytes, and agrees with Foundation.
    @Test func randomlyEscapedBodiesDecodeToTheOriginalBytes() throws {
        var generator = SeededGenerator(seed: 4242)
        var factory = RecordFactory(seed: 77)
        for round in 0..<2000 {
            let text = factory.randomText(maxLength: round.isMultiple(of: 10) ? 3000 : 200)
            let escaped = foreignEscape(text, &generator)
            let record = try parse(line(headers: #"{"x-b":"\#(escaped)"}"#, body: "\"\(escaped)\""))
            let matches = record.body == Array(text.utf8)
            #expect(matches, "round \(round): \(escaped.prefix(200))")
            if !matches { break }
            #expect(record.header("X-B") == text)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(record.bytes)) as? [String: Any])
            #expect((object["body"] as? String).map { Array($0.utf8) } == Array(text.utf8))
        }
    }

    private func foreignEscape(_ text: String, _ generator: inout SeededGenerator) -> String {
        var out = ""
        func hex(_ unit: UInt16, upper: Bool) -> String {
            let digits = String(unit, radix: 16, uppercase: upper)
            return "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
        }
        for scalar in text.unicodeScalars {
            let mustEscape = scalar.value < 0x20 || scalar == "\"" || scalar == "\\"
            let choice = Int.random(in: 0..<4, using: &generator)
            if !mustEscape && choice == 0 {
                out.unicodeScalars.append(scalar)
            } else if choice == 1, let short = ["\"": "\\\"", "\\": "\\\\", "/": "\\/", "\n": "\\n", "\r": "\\r", "\t": "\\t",
                                                "\u{8}": "\\b", "\u{C}": "\\f"][Character(scalar)] {
                out += short
            } else {
                let upper = Bool.random(using: &generator)
                for unit in String(scalar).utf16 { out += hex(unit, upper: upper) }
            }
        }
        return out
    }
}
