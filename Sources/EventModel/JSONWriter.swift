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

    /// Inlinable: payload writers call this for every key, and inlined with
    /// a literal the copy becomes a few stores instead of a memmove call.
    @inlinable
    public mutating func raw(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// A decimal integer, formatted on the stack: records and storm payloads
    /// write several per line, and going through `String` allocated each time.
    public mutating func integer(_ value: Int) {
        integer(Int64(value))
    }

    public mutating func integer(_ value: Int64) {
        var buffer: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &buffer) { out in
            var start = out.count
            var rest = value.magnitude
            repeat {
                start -= 1
                out[start] = UInt8(truncatingIfNeeded: 0x30 + rest % 10)
                rest /= 10
            } while rest > 0
            if value < 0 {
                start -= 1
                out[start] = UInt8(ascii: "-")
            }
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: out[start...]))
        }
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
        value.withUTF8 { _ = string(utf8: $0) }
    }

    /// Writes `utf8` (which must be valid UTF-8) as a JSON string, escaping
    /// quotes, backslashes and control characters and nothing else. Returns
    /// whether every byte was ASCII, so a caller that must check UTF-8
    /// (recorded bodies) can skip its own pass over the usual ASCII body.
    ///
    /// Request bodies are JSON themselves, so a quote every few bytes is
    /// normal. One pass, eight bytes at a time, with a few stores per quote
    /// instead of a copy call per run between quotes (measured in the storm
    /// benchmark: about three times faster); only control characters take a
    /// byte-by-byte path. Capacity for the worst case (every byte a six-byte
    /// escape) is taken up front and only what was written is kept.
    @discardableResult
    mutating func string(utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        var seenBytes: UInt8 = 0
        bytes.append(addingCapacity: utf8.count * 6 + 2) { span in
            span.withUnsafeMutableBufferPointer { buffer, written in
                let out = buffer.baseAddress!
                var position = 0
                out[position] = UInt8(ascii: "\"")
                position += 1
                if let input = utf8.baseAddress {
                    var index = 0
                    var seenWords: UInt64 = 0
                    while index + 8 <= utf8.count {
                        let word = UnsafeRawPointer(input + index).loadUnaligned(as: UInt64.self).littleEndian
                        seenWords |= word
                        let special = WordEscapes(word)
                        if special.control != 0 {
                            for offset in 0..<8 {
                                position += writeByte(input[index + offset], to: out + position)
                            }
                        } else {
                            // The word is stored whole; then at each quote or
                            // backslash a backslash goes in and the rest of the
                            // word is stored again one byte further on.
                            let target = UnsafeMutableRawPointer(out + position)
                            target.storeBytes(of: word.littleEndian, as: UInt64.self)
                            var flags = special.quoteOrBackslash
                            var inserted = 0
                            while flags != 0 {
                                let offset = flags.trailingZeroBitCount >> 3
                                let at = target + offset + inserted
                                at.storeBytes(of: UInt8(ascii: "\\"), as: UInt8.self)
                                (at + 1).storeBytes(of: (word >> (offset * 8)).littleEndian, as: UInt64.self)
                                inserted += 1
                                flags &= flags - 1
                            }
                            position += 8 + inserted
                        }
                        index += 8
                    }
                    seenBytes = (0..<8).reduce(0) { $0 | UInt8(truncatingIfNeeded: seenWords >> ($1 * 8)) }
                    while index < utf8.count {
                        seenBytes |= input[index]
                        position += writeByte(input[index], to: out + position)
                        index += 1
                    }
                }
                out[position] = UInt8(ascii: "\"")
                written = position + 1
            }
        }
        return seenBytes < 0x80
    }
}

/// Which of a little-endian word's eight bytes need an escape: the high bit
/// of each flagged byte is set. The per-byte tests are exact, as no carry
/// crosses a byte (the same tests as JSONScanner's).
private struct WordEscapes {
    let quoteOrBackslash: UInt64
    let control: UInt64

    @inline(__always)
    init(_ word: UInt64) {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        let high: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        quoteOrBackslash = (~(((quote & low7) &+ low7) | quote) | ~(((backslash & low7) &+ low7) | backslash)) & high
        control = ~((word & low7) &+ (ones &* 0x60)) & ~word & high
    }
}

/// Writes `byte` at `out`, escaped if JSON requires it; returns the length.
@inline(__always)
private func writeByte(_ byte: UInt8, to out: UnsafeMutablePointer<UInt8>) -> Int {
    guard byte < 0x20 || byte == 0x22 || byte == 0x5C else {
        out[0] = byte
        return 1
    }
    return writeEscape(for: byte, to: out)
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
