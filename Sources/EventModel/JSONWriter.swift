/// Appends JSON text to a byte buffer. Used by the record codec, whose output
/// must be byte-for-byte deterministic (storms promise identical files for the
/// same seed), so nothing here depends on dictionary order or locale.
/// Public because storm payloads (Synthesis) are written with it too.
public struct JSONWriter {
    public var bytes: [UInt8]

    public init(reservingCapacity capacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public mutating func raw(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    public mutating func integer<T: BinaryInteger>(_ value: T) {
        bytes.append(contentsOf: String(value).utf8)
    }

    public mutating func number(_ value: Double) {
        if value.isFinite, value == value.rounded(), abs(value) < 1e15 {
            integer(Int64(value))
        } else {
            bytes.append(contentsOf: value.description.utf8)
        }
    }

    public mutating func string(_ value: String) {
        var value = value
        value.withUTF8 { string(utf8: $0) }
    }

    /// Writes `utf8` (which must be valid UTF-8) as a JSON string, escaping
    /// quotes, backslashes and control characters and nothing else.
    ///
    /// Request bodies are JSON themselves, so an escape every few bytes is
    /// normal: the escaped text is measured first, then written straight into
    /// the output with plain copies of the runs between escapes.
    mutating func string(utf8: UnsafeBufferPointer<UInt8>) {
        var length = utf8.count + 2
        var position = 0
        while let special = nextByteNeedingEscape(utf8, from: position) {
            length += escapeLength(utf8[special]) - 1
            position = special + 1
        }
        let start = bytes.count
        // Grown with zeros, then overwritten: an array cannot be written past
        // its count, and the zeroing is cheaper than a second buffer and copy.
        bytes.append(contentsOf: repeatElement(0, count: length))
        bytes.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress! + start
            var written = 0
            func copyRun(_ range: Range<Int>) {
                guard !range.isEmpty else { return }
                (base + written).update(from: utf8.baseAddress! + range.lowerBound, count: range.count)
                written += range.count
            }
            base[written] = UInt8(ascii: "\"")
            written += 1
            var runStart = 0
            while let special = nextByteNeedingEscape(utf8, from: runStart) {
                copyRun(runStart..<special)
                written += writeEscape(for: utf8[special], to: base + written)
                runStart = special + 1
            }
            copyRun(runStart..<utf8.count)
            base[written] = UInt8(ascii: "\"")
        }
    }

}

/// The index of the first quote, backslash or control character at or after
/// `start`, eight bytes at a time (exact per-byte tests, as in JSONScanner).
private func nextByteNeedingEscape(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
    guard let base = bytes.baseAddress else { return nil }
    let ones: UInt64 = 0x0101_0101_0101_0101
    let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
    let high: UInt64 = 0x8080_8080_8080_8080
    var i = start
    while i + 8 <= bytes.count {
        let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self).littleEndian
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let flags = (~(((quote & low7) &+ low7) | quote) | ~(((backslash & low7) &+ low7) | backslash)
                     | (~((word & low7) &+ (ones &* 0x60)) & ~word)) & high
        if flags != 0 { return i + flags.trailingZeroBitCount >> 3 }
        i += 8
    }
    while i < bytes.count {
        let byte = base[i]
        if byte < 0x20 || byte == 0x22 || byte == 0x5C { return i }
        i += 1
    }
    return nil
}

/// How many bytes the escape of `byte` takes.
private func escapeLength(_ byte: UInt8) -> Int {
    switch byte {
    case 0x22, 0x5C, 0x0A, 0x0D, 0x09, 0x08, 0x0C: 2
    default: 6  // \u00XX
    }
}

/// Writes the escape of `byte` at `out`; returns its length.
private func writeEscape(for byte: UInt8, to out: UnsafeMutablePointer<UInt8>) -> Int {
    out[0] = UInt8(ascii: "\\")
    switch byte {
    case 0x22: out[1] = UInt8(ascii: "\"")
    case 0x5C: out[1] = UInt8(ascii: "\\")
    case 0x0A: out[1] = UInt8(ascii: "n")
    case 0x0D: out[1] = UInt8(ascii: "r")
    case 0x09: out[1] = UInt8(ascii: "t")
    case 0x08: out[1] = UInt8(ascii: "b")
    case 0x0C: out[1] = UInt8(ascii: "f")
    default:
        let hex: StaticString = "0123456789abcdef"
        out[1] = UInt8(ascii: "u")
        out[2] = UInt8(ascii: "0")
        out[3] = UInt8(ascii: "0")
        out[4] = hex.utf8Start[Int(byte >> 4)]
        out[5] = hex.utf8Start[Int(byte & 0xF)]
        return 6
    }
    return 2
}
