import Glibc

/// A validating, allocation-free JSON scanner over a byte buffer.
///
/// Records are read at hundreds of thousands per second, and Foundation's JSON
/// parser manages a few thousand objects a second on Linux (docs/benchmarks.md), so
/// the record codec walks the bytes itself. The scanner validates everything it
/// passes over (string escapes, UTF-8, number grammar, nesting) so that a line
/// it accepts is a line `jq` accepts, but it only materialises what is asked for.
struct JSONScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var index: Int

    /// Deeper nesting than this is rejected instead of recursing without bound.
    static let maximumDepth = 128
    /// Inputs must be shorter than this: slices store 31-bit offsets and lengths.
    static let maximumInputSize = 1 << 31 - 1

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        self.index = 0
    }

    var isAtEnd: Bool { index >= bytes.count }

    /// Records have no whitespace between tokens, so the hot callers
    /// (`expect`, `consume`, `peekAfterWhitespace`) look at the next byte first.
    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    /// Consumes `byte` after optional whitespace, or throws.
    @inline(__always)
    mutating func expect(_ byte: UInt8, _ what: StaticString) throws(JSONSyntaxError) {
        if index < bytes.count, bytes[index] == byte {
            index += 1
            return
        }
        try expectAfterWhitespace(byte, what)
    }

    private mutating func expectAfterWhitespace(_ byte: UInt8, _ what: StaticString) throws(JSONSyntaxError) {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == byte else { throw error("expected \(what)") }
        index += 1
    }

    /// Consumes `byte` after optional whitespace if it is next.
    @inline(__always)
    mutating func consume(_ byte: UInt8) -> Bool {
        if index < bytes.count, bytes[index] == byte {
            index += 1
            return true
        }
        return consumeAfterWhitespace(byte)
    }

    private mutating func consumeAfterWhitespace(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    func error(_ message: String) -> JSONSyntaxError {
        JSONSyntaxError(offset: index, message: message)
    }

    // MARK: Strings

    /// Scans a string (the cursor may sit before whitespace and the opening quote).
    mutating func scanString() throws(JSONSyntaxError) -> JSONStringSlice {
        try expect(UInt8(ascii: "\""), "'\"'")
        let start = index
        var hasEscapes = false
        let base = bytes.baseAddress!
        let end = bytes.count
        var i = index
        while true {
            let (stop, sawEscape) = scanPlainStringBytes(base, from: i, end: end)
            hasEscapes = hasEscapes || sawEscape
            i = stop
            guard i < end else { index = i; throw error("unterminated string") }
            let byte = base[i]
            if byte == 0x22 {
                index = i + 1
                return JSONStringSlice(range: start..<i, hasEscapes: hasEscapes)
            } else if byte == 0x5C {
                hasEscapes = true
                index = i
                try skipEscape()
                i = index
            } else if byte < 0x20 {
                index = i
                throw error("control character in string")
            } else {
                index = i
                try skipUTF8Sequence()
                i = index
            }
        }
    }

    private mutating func skipEscape() throws(JSONSyntaxError) {
        index += 1  // the backslash
        guard index < bytes.count else { throw error("unterminated escape") }
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
             UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            return
        case UInt8(ascii: "u"):
            let unit = try hexQuad()
            if (0xDC00...0xDFFF).contains(unit) { throw error("unpaired low surrogate") }
            if (0xD800...0xDBFF).contains(unit) {
                guard index + 1 < bytes.count, bytes[index] == 0x5C, bytes[index + 1] == UInt8(ascii: "u")
                else { throw error("unpaired high surrogate") }
                index += 2
                let low = try hexQuad()
                guard (0xDC00...0xDFFF).contains(low) else { throw error("unpaired high surrogate") }
            }
        default:
            index -= 1
            throw error("invalid escape")
        }
    }

    private mutating func hexQuad() throws(JSONSyntaxError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let digit = hexValue(bytes[index]) else { throw error("invalid \\u escape") }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    /// Validates one multi-byte UTF-8 sequence (RFC 3629: no overlongs, no surrogates).
    private mutating func skipUTF8Sequence() throws(JSONSyntaxError) {
        let lead = bytes[index]
        let length: Int
        var lowerBound: UInt8 = 0x80
        var upperBound: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; lowerBound = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; upperBound = 0x9F
        case 0xF0: length = 4; lowerBound = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; upperBound = 0x8F
        default: throw error("invalid UTF-8")
        }
        guard index + length <= bytes.count else { throw error("invalid UTF-8") }
        let second = bytes[index + 1]
        guard second >= lowerBound, second <= upperBound else { throw error("invalid UTF-8") }
        for offset in 2..<max(length, 2) where bytes[index + offset] & 0xC0 != 0x80 {
            throw error("invalid UTF-8")
        }
        index += length
    }

    /// The UTF-8 bytes a scanned string stands for, with escapes resolved.
    ///
    /// Record bodies are JSON inside JSON, so an escape every few bytes is
    /// normal: the runs between escapes are copied whole (found with memchr),
    /// into a buffer sized for the worst case, since every escape sequence is
    /// longer than what it stands for.
    func decodeBytes(_ slice: JSONStringSlice) -> [UInt8] {
        let raw = UnsafeBufferPointer(rebasing: bytes[slice.range])
        guard slice.hasEscapes, let base = raw.baseAddress else { return Array(raw) }
        return [UInt8](unsafeUninitializedCapacity: raw.count) { out, count in
            let target = out.baseAddress!
            var i = 0
            var o = 0
            while i < raw.count {
                let runEnd = memchr(base + i, 0x5C, raw.count - i).map { UnsafeRawPointer($0) - UnsafeRawPointer(base) } ?? raw.count
                (target + o).initialize(from: base + i, count: runEnd - i)
                o += runEnd - i
                i = runEnd
                guard i < raw.count else { break }
                let kind = raw[i + 1]
                i += 2
                switch kind {
                case UInt8(ascii: "b"): target[o] = 0x08
                case UInt8(ascii: "f"): target[o] = 0x0C
                case UInt8(ascii: "n"): target[o] = 0x0A
                case UInt8(ascii: "r"): target[o] = 0x0D
                case UInt8(ascii: "t"): target[o] = 0x09
                case UInt8(ascii: "u"):
                    var scalar = hexQuadUnchecked(raw, at: i)
                    i += 4
                    if (0xD800...0xDBFF).contains(scalar) {
                        let low = hexQuadUnchecked(raw, at: i + 2)
                        i += 6
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    o += writeUTF8(scalar, to: target + o)
                    continue
                default: target[o] = kind  // \" \\ \/
                }
                o += 1
            }
            count = o
        }
    }

    func decodeString(_ slice: JSONStringSlice) -> String {
        if !slice.hasEscapes {
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[slice.range]), as: UTF8.self)
        }
        return String(decoding: decodeBytes(slice), as: UTF8.self)
    }

    /// Whether a scanned string equals `literal` (compared unescaped).
    @inline(__always)
    func string(_ slice: JSONStringSlice, equals literal: StaticString) -> Bool {
        let expected = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        if !slice.hasEscapes {
            return slice.range.count == expected.count
                && memcmpEqual(bytes.baseAddress! + slice.range.lowerBound, expected.baseAddress!, expected.count)
        }
        return decodeBytes(slice).elementsEqual(expected)
    }

    // MARK: Numbers and literals

    /// Scans a number per the JSON grammar and returns its text range.
    mutating func scanNumber() throws(JSONSyntaxError) -> JSONNumberSlice {
        skipWhitespace()
        let start = index
        var isInteger = true
        _ = consumeByte(UInt8(ascii: "-"))
        if consumeByte(UInt8(ascii: "0")) {
            // a leading zero stands alone
        } else {
            guard skipDigits() > 0 else { throw error("invalid number") }
        }
        if consumeByte(UInt8(ascii: ".")) {
            isInteger = false
            guard skipDigits() > 0 else { throw error("invalid number") }
        }
        if consumeByte(UInt8(ascii: "e")) || consumeByte(UInt8(ascii: "E")) {
            isInteger = false
            if !consumeByte(UInt8(ascii: "+")) { _ = consumeByte(UInt8(ascii: "-")) }
            guard skipDigits() > 0 else { throw error("invalid number") }
        }
        return JSONNumberSlice(range: start..<index, isInteger: isInteger)
    }

    /// The value of an integer number slice, or nil if it has a fraction or overflows.
    func integerValue(_ number: JSONNumberSlice) -> Int64? {
        guard number.isInteger else { return nil }
        var i = number.range.lowerBound
        let negative = bytes[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        var value: Int64 = 0
        while i < number.range.upperBound {
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let digit = Int64(bytes[i] - UInt8(ascii: "0"))
            let (sum, overflow2) = negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            if overflow1 || overflow2 { return nil }
            value = sum
            i += 1
        }
        return value
    }

    func doubleValue(_ number: JSONNumberSlice) -> Double? {
        Double(String(decoding: UnsafeBufferPointer(rebasing: bytes[number.range]), as: UTF8.self))
    }

    private mutating func consumeByte(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private mutating func skipDigits() -> Int {
        let start = index
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
            index += 1
        }
        return index - start
    }

    private mutating func literal(_ text: StaticString) throws(JSONSyntaxError) {
        let count = text.utf8CodeUnitCount
        guard index + count <= bytes.count,
              memcmpEqual(bytes.baseAddress! + index, text.utf8Start, count)
        else { throw error("invalid literal") }
        index += count
    }

    // MARK: Any value

    /// Validates and skips one value of any kind.
    mutating func skipValue(depth: Int = 0) throws(JSONSyntaxError) {
        guard depth < Self.maximumDepth else { throw error("nesting too deep") }
        skipWhitespace()
        guard let byte = peek() else { throw error("expected a value") }
        switch byte {
        case UInt8(ascii: "\""):
            _ = try scanString()
        case UInt8(ascii: "{"):
            index += 1
            if consume(UInt8(ascii: "}")) { return }
            repeat {
                _ = try scanString()
                try expect(UInt8(ascii: ":"), "':'")
                try skipValue(depth: depth + 1)
            } while consume(UInt8(ascii: ","))
            try expect(UInt8(ascii: "}"), "',' or '}'")
        case UInt8(ascii: "["):
            index += 1
            if consume(UInt8(ascii: "]")) { return }
            repeat {
                try skipValue(depth: depth + 1)
            } while consume(UInt8(ascii: ","))
            try expect(UInt8(ascii: "]"), "',' or ']'")
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            _ = try scanNumber()
        default:
            throw error("expected a value")
        }
    }

    /// Walks members of an object like `scanObject` while `member` returns true;
    /// once it returns false the rest of the object is left unread (and
    /// unvalidated). Returns whether the whole object was read.
    mutating func scanObjectPrefix(
        _ member: (inout JSONScanner, JSONStringSlice) throws(JSONSyntaxError) -> Bool
    ) throws(JSONSyntaxError) -> Bool {
        try expect(UInt8(ascii: "{"), "'{'")
        if consume(UInt8(ascii: "}")) { return true }
        repeat {
            let key = try scanString()
            try expect(UInt8(ascii: ":"), "':'")
            guard try member(&self, key) else { return false }
        } while consume(UInt8(ascii: ","))
        try expect(UInt8(ascii: "}"), "',' or '}'")
        return true
    }

    /// Walks the members of an object, calling `member` with each key; `member`
    /// must consume the value. The cursor may sit before the `{`.
    mutating func scanObject(
        _ member: (inout JSONScanner, JSONStringSlice) throws(JSONSyntaxError) -> Void
    ) throws(JSONSyntaxError) {
        try expect(UInt8(ascii: "{"), "'{'")
        if consume(UInt8(ascii: "}")) { return }
        repeat {
            let key = try scanString()
            try expect(UInt8(ascii: ":"), "':'")
            try member(&self, key)
        } while consume(UInt8(ascii: ","))
        try expect(UInt8(ascii: "}"), "',' or '}'")
    }
}

/// Where a string sits in the scanned buffer (between the quotes, escapes
/// unresolved). Eight bytes, because a parsed record carries a dozen of them and
/// is copied on every step of a read.
struct JSONStringSlice: Sendable {
    private let start: UInt32
    private let countAndFlag: UInt32

    init(range: Range<Int>, hasEscapes: Bool) {
        start = UInt32(truncatingIfNeeded: range.lowerBound)
        countAndFlag = UInt32(truncatingIfNeeded: range.count) | (hasEscapes ? 1 << 31 : 0)
    }

    var range: Range<Int> { Int(start)..<Int(start) + Int(countAndFlag & ~(1 << 31)) }
    var hasEscapes: Bool { countAndFlag & (1 << 31) != 0 }
}

/// Where a number sits in the scanned buffer.
struct JSONNumberSlice: Sendable {
    private let start: UInt32
    private let countAndFlag: UInt32

    init(range: Range<Int>, isInteger: Bool) {
        start = UInt32(truncatingIfNeeded: range.lowerBound)
        countAndFlag = UInt32(truncatingIfNeeded: range.count) | (isInteger ? 1 << 31 : 0)
    }

    var range: Range<Int> { Int(start)..<Int(start) + Int(countAndFlag & ~(1 << 31)) }
    var isInteger: Bool { countAndFlag & (1 << 31) != 0 }
}

/// The input is not valid JSON; `offset` is the byte where the scanner stopped.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public var offset: Int
    public var message: String
    public var description: String { "\(message) at byte \(offset)" }
}

/// Scans string content from `start`: skips plain bytes and two-byte escapes
/// and returns where the scan must look closer (a quote, a control character,
/// a non-ASCII byte, or a backslash not followed by a two-byte escape), and
/// whether it passed an escape. Strings, request bodies above all, are most of
/// a record, and a body is JSON inside JSON, with an escaped quote every few
/// bytes; so it takes sixteen bytes at once while they hold nothing but plain
/// bytes and escaped quotes, and otherwise works eight bytes at a time (SWAR)
/// with exact per-byte tests, handling the escapes of a word together.
@inline(__always)
private func scanPlainStringBytes(_ base: UnsafePointer<UInt8>, from start: Int, end: Int) -> (stop: Int, sawEscape: Bool) {
    var sawEscape = false
    var i = start
    // 0x80 when the bytes passed end in a backslash, which escapes the next
    // one. Loads never wait for the tests of the bytes before.
    var carry: UInt64 = 0
    while i + 8 <= end {
        if carry == 0, i + 17 <= end, let chunk = plainBytesAndEscapedQuotes(base, at: i) {
            sawEscape = sawEscape || chunk.hasEscapes
            carry = chunk.endsInBackslash ? 0x80 : 0
            i += 16
            continue
        }
        let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self).littleEndian
        // The high bit of each byte is set where the byte is what the name says.
        let backslashes = SWARBytes.equal(word, 0x5C)
        let quotes = SWARBytes.equal(word, 0x22)
        let escaped = backslashes << 8 | carry
        // An escaped backslash is rare: that word goes bytewise, from the escape.
        if backslashes & escaped != 0 {
            let (next, stopped) = scanBytes(base, from: i - Int(carry >> 7), until: i + 8, end: end, sawEscape: &sawEscape)
            if stopped { return (next, sawEscape) }
            i = next
            carry = 0
            continue
        }
        var stops = (quotes | SWARBytes.below0x20(word) | (word & SWARBytes.high)) & ~escaped
        // `\"` is the usual escape; any other escaped byte must be one of
        // the two-byte escapes, or the scan stops at its backslash.
        var others = escaped & ~quotes
        while others != 0 {
            let offset = others.trailingZeroBitCount >> 3
            if !isSimpleEscape(base[i + offset]) {
                if offset == 0 { return (i - 1, sawEscape) }
                stops |= 0x80 << UInt64(offset * 8 - 8)  // its backslash
            }
            others &= others - 1
        }
        if stops != 0 {
            let offset = stops.trailingZeroBitCount >> 3
            let passed = backslashes & ((1 << UInt64(offset * 8)) &- 1) | carry
            return (i + offset, sawEscape || passed != 0)
        }
        // A backslash in the last byte escapes the next word's first.
        sawEscape = sawEscape || (backslashes & ~(0x80 << 56)) | carry != 0
        carry = backslashes >> 56 & 0x80
        i += 8
    }
    let (next, _) = scanBytes(base, from: i - Int(carry >> 7), until: end, end: end, sawEscape: &sawEscape)
    return (min(next, end), sawEscape)
}

/// The sixteen bytes from `i` when they hold only plain ASCII and `\"` pairs,
/// which is most of a body; nil when they hold anything else. Byte `i` must
/// not be escaped, and bytes `i - 1` through `i + 16` must lie in the buffer
/// (a string's first byte follows its opening quote). Says whether the chunk
/// holds an escape, and whether its last byte is a backslash, which escapes
/// the next one.
///
/// Only the operators Swift maps to single vector instructions appear here
/// (`.==`, `.!=`, `&`, mask logic): its ordered comparisons go lane by lane.
@inline(__always)
private func plainBytesAndEscapedQuotes(_ base: UnsafePointer<UInt8>, at i: Int) -> (hasEscapes: Bool, endsInBackslash: Bool)? {
    let zero = SIMD16<UInt8>()
    let quote = SIMD16<UInt8>(repeating: 0x22)
    let backslash = SIMD16<UInt8>(repeating: 0x5C)
    let here = UnsafeRawPointer(base + i).loadUnaligned(as: SIMD16<UInt8>.self)
    let before = UnsafeRawPointer(base + i - 1).loadUnaligned(as: SIMD16<UInt8>.self)
    let after = UnsafeRawPointer(base + i + 1).loadUnaligned(as: SIMD16<UInt8>.self)
    let isBackslash = here .== backslash
    // A control character has none of the top three bits; a non-ASCII byte has the top one.
    let notPlainASCII = ((here & SIMD16(repeating: 0xE0)) .== zero) .| ((here & SIMD16(repeating: 0x80)) .!= zero)
    // Where every backslash is followed by a quote and every quote follows a
    // backslash, no backslash can be escaped: each starts a `\"`. The first
    // byte is the exception: whatever precedes it, it is not escaped.
    let outside = notPlainASCII
        .| (isBackslash .& .!(after .== quote))
        .| ((here .== quote) .& .!(before .== backslash))
    guard !SIMDLanes.any(outside), base[i] != 0x22 else { return nil }
    return (SIMDLanes.any(isBackslash), SIMDLanes.last(isBackslash))
}

/// Whole-vector tests of a lane mask, read as two words.
private enum SIMDLanes {
    @inline(__always)
    static func any(_ mask: SIMDMask<SIMD16<Int8>>) -> Bool {
        let words = unsafeBitCast(mask, to: SIMD2<UInt64>.self)
        return words[0] | words[1] != 0
    }

    @inline(__always)
    static func last(_ mask: SIMDMask<SIMD16<Int8>>) -> Bool {
        unsafeBitCast(mask, to: SIMD2<UInt64>.self)[1] >> 63 != 0
    }
}

/// `scanPlainStringBytes` a byte at a time, from `start` until `limit` or a
/// stop (then `stopped`); an escape that starts before `limit` is passed whole.
@inline(__always)
private func scanBytes(
    _ base: UnsafePointer<UInt8>, from start: Int, until limit: Int, end: Int, sawEscape: inout Bool
) -> (next: Int, stopped: Bool) {
    var i = start
    while i < limit {
        let byte = base[i]
        if byte == 0x5C, i + 1 < end, isSimpleEscape(base[i + 1]) {
            sawEscape = true
            i += 2
            continue
        }
        if byte < 0x20 || byte >= 0x80 || byte == 0x22 || byte == 0x5C { return (i, true) }
        i += 1
    }
    return (i, false)
}

/// Byte-wise tests on eight bytes at once: each sets the high bit of exactly
/// the bytes that pass (no borrow crosses from one byte to the next).
private enum SWARBytes {
    static let high: UInt64 = 0x8080_8080_8080_8080
    private static let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
    private static let ones: UInt64 = 0x0101_0101_0101_0101

    @inline(__always)
    static func equal(_ word: UInt64, _ byte: UInt8) -> UInt64 {
        let difference = word ^ (ones &* UInt64(byte))
        return ~(((difference & low7) &+ low7) | difference) & high
    }

    @inline(__always)
    static func below0x20(_ word: UInt64) -> UInt64 {
        ~((word & low7) &+ (ones &* 0x60)) & ~word & high
    }
}

/// Escapes of exactly two bytes: `\"` `\\` `\/` `\b` `\f` `\n` `\r` `\t`.
@inline(__always)
private func isSimpleEscape(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
         UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
        return true
    default:
        return false
    }
}

private func hexValue(_ byte: UInt8) -> UInt32? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - UInt8(ascii: "a") + 10)
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - UInt8(ascii: "A") + 10)
    default: return nil
    }
}

private func hexQuadUnchecked(_ raw: UnsafeBufferPointer<UInt8>, at index: Int) -> UInt32 {
    var value: UInt32 = 0
    for offset in 0..<4 { value = value << 4 | hexValue(raw[index + offset])! }
    return value
}

/// Writes `scalar` as UTF-8 at `out`; returns the bytes written (1 to 4).
private func writeUTF8(_ scalar: UInt32, to out: UnsafeMutablePointer<UInt8>) -> Int {
    switch scalar {
    case 0..<0x80:
        out[0] = UInt8(scalar)
        return 1
    case 0x80..<0x800:
        out[0] = 0xC0 | UInt8(scalar >> 6)
        out[1] = 0x80 | UInt8(scalar & 0x3F)
        return 2
    case 0x800..<0x10000:
        out[0] = 0xE0 | UInt8(scalar >> 12)
        out[1] = 0x80 | UInt8(scalar >> 6 & 0x3F)
        out[2] = 0x80 | UInt8(scalar & 0x3F)
        return 3
    default:
        out[0] = 0xF0 | UInt8(scalar >> 18)
        out[1] = 0x80 | UInt8(scalar >> 12 & 0x3F)
        out[2] = 0x80 | UInt8(scalar >> 6 & 0x3F)
        out[3] = 0x80 | UInt8(scalar & 0x3F)
        return 4
    }
}

/// Whether `count` bytes at `a` and `b` are equal; words at a time, the last
/// one overlapping, since what is compared (field names) is short.
@inline(__always)
func memcmpEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
    func word<T: FixedWidthInteger>(_ pointer: UnsafePointer<UInt8>, _ offset: Int, as type: T.Type) -> T {
        UnsafeRawPointer(pointer + offset).loadUnaligned(as: T.self)
    }
    if count >= 8 {
        var i = 0
        while i + 8 < count {
            if word(a, i, as: UInt64.self) != word(b, i, as: UInt64.self) { return false }
            i += 8
        }
        return word(a, count - 8, as: UInt64.self) == word(b, count - 8, as: UInt64.self)
    }
    if count >= 4 {
        return word(a, 0, as: UInt32.self) == word(b, 0, as: UInt32.self)
            && word(a, count - 4, as: UInt32.self) == word(b, count - 4, as: UInt32.self)
    }
    for i in 0..<count where a[i] != b[i] { return false }
    return true
}
