@testable import EventModel
import Foundation
import Primitives
import Testing

struct JSONWriterTests {
    /// The escaping rules written the slow, obvious way.
    private func referenceString(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x22]
        for byte in bytes {
            switch byte {
            case 0x22: out += Array(#"\""#.utf8)
            case 0x5C: out += Array(#"\\"#.utf8)
            case 0x0A: out += Array(#"\n"#.utf8)
            case 0x0D: out += Array(#"\r"#.utf8)
            case 0x09: out += Array(#"\t"#.utf8)
            case 0x08: out += Array(#"\b"#.utf8)
            case 0x0C: out += Array(#"\f"#.utf8)
            case ..<0x20: out += Array(String(format: "\\u%04x", byte).utf8)
            default: out.append(byte)
            }
        }
        out.append(0x22)
        return out
    }

    /// Property: whatever the mix of quotes, backslashes, control characters
    /// and high bytes, and wherever they fall relative to the eight-byte
    /// words, and whether or not the buffer has room for the worst case, the
    /// output equals the reference, appended after what was there, and the
    /// ASCII verdict is right.
    @Test func escapingMatchesTheReferenceForRandomBytes() {
        var random = SplitMix64(seed: 99)
        let alphabet: [UInt8] = [0x22, 0x5C, 0x0A, 0x00, 0x1F, 0x41, 0x7B, 0x3A, 0x20, 0x7F, 0xC3, 0xA9]
        for round in 0..<5000 {
            let length = Int(random.next() % 70)
            let input = (0..<length).map { _ in
                random.next() % 3 == 0 ? alphabet[Int(random.next() % UInt64(alphabet.count))] : UInt8(0x61 + random.next() % 26)
            }
            // Small buffers take the count-first path, roomy ones the worst-case one.
            var writer = JSONWriter(reservingCapacity: round.isMultiple(of: 2) ? Int(random.next() % 8) : 1024)
            writer.raw("[")
            let isASCII = input.withUnsafeBufferPointer { writer.string(utf8: $0) }
            let expected = Array("[".utf8) + referenceString(input)
            #expect(writer.bytes == expected, "round \(round): \(input)")
            #expect(isASCII == input.allSatisfy { $0 < 0x80 }, "round \(round)")
            if writer.bytes != expected { return }
        }
    }

    @Test func escapedStringsParseBackToTheOriginal() throws {
        let text = "say \"hi\"\\\n\t\u{1}é — 🚀 " + String(repeating: "\"", count: 17)
        var writer = JSONWriter()
        writer.string(text)
        let decoded = try JSONDecoder().decode(String.self, from: Data(writer.bytes))
        #expect(decoded == text)
    }

    @Test(arguments: [Int64.min, -1_000_000_007, -10, -1, 0, 1, 9, 10, 99, 100, 1_234_567_890_123, Int64.max])
    func integersAreDecimal(value: Int64) {
        var writer = JSONWriter(reservingCapacity: 1)
        writer.integer(value)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == String(value))
    }

    @Test func truncateKeepsThePrefixAndWritingGoesOn() {
        var writer = JSONWriter(reservingCapacity: 2)
        writer.raw("{\"a\":")
        let mark = writer.count
        writer.string(String(repeating: "x", count: 500))
        writer.truncate(to: mark)
        writer.integer(1)
        writer.raw("}")
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #"{"a":1}"#)
    }
}
