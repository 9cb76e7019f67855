/// Appends JSON text to a byte buffer. Used by the record codec, whose output
/// must be byte-for-byte deterministic (storms promise identical files for the
/// same seed), so nothing here depends on dictionary order or locale.
/// Public because storm payloads (Synthesis) are written with it too.
///
/// The buffer is its own allocation rather than an `[UInt8]`: a payload is
/// some seventy short appends, and `Array.append(contentsOf:)` cost about
/// 11 ns each against under 3 ns here, where appending a literal inlines into
/// a capacity check and a few stores (measured; docs/benchmarks.md).
public struct JSONWriter: ~Copyable {
    @usableFromInline var start: UnsafeMutablePointer<UInt8>
    @usableFromInline var capacity: Int
    @usableFromInline var written: Int
    /// Bytes written so far.
    public var count: Int { written }

    public init(reservingCapacity capacity: Int = 256) {
        self.capacity = Swift.max(capacity, 16)
        start = .allocate(capacity: self.capacity)
        written = 0
    }

    deinit { start.deallocate() }

    /// A copy of what was written.
    public var bytes: [UInt8] {
        Array(UnsafeBufferPointer(start: start, count: count))
    }

    /// What was written, without a copy.
    public func withUnsafeBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(UnsafeRawBufferPointer(start: start, count: count))
    }

    /// Forgets everything after the first `count` bytes, keeping the capacity.
    public mutating func truncate(to count: Int) {
        precondition(count >= 0 && count <= self.count, "truncate(to: \(count)) outside 0...\(self.count)")
        written = count
    }

    /// Makes room for `additional` more bytes, then lets `body` write at most
    /// that many at the end; `body` returns how many it wrote.
    @inlinable
    public mutating func write(reserving additional: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int) {
        if count + additional > capacity { grow(toHold: count + additional) }
        let added = body(start + count)
        precondition(added >= 0 && added <= additional, "wrote \(added) bytes into room for \(additional)")
        written += added
    }

    @usableFromInline
    mutating func grow(toHold minimum: Int) {
        let newCapacity = Swift.max(capacity * 2, minimum)
        let newStart = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newStart.initialize(from: start, count: count)
        start.deallocate()
        start = newStart
        capacity = newCapacity
    }

    /// Inlinable: payload writers call this for every key, and inlined with a
    /// literal the copy becomes a few stores.
    @inlinable @inline(__always)
    public mutating func raw(_ text: StaticString) {
        append(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Appends bytes as they are (they must already be JSON text).
    @inlinable @inline(__always)
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress else { return }
        if count + bytes.count > capacity { grow(toHold: count + bytes.count) }
        UnsafeMutableRawPointer(start + count).copyMemory(from: source, byteCount: bytes.count)
        written += bytes.count
    }

    /// Appends bytes as they are (they must already be JSON text).
    public mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    public mutating func integer(_ value: Int) {
        integer(Int64(value))
    }

    /// A decimal integer, formatted in place.
    public mutating func integer(_ value: Int64) {
        write(reserving: 20) { out in
            var digits = 0
            var rest = value.magnitude
            repeat {
                digits += 1
                rest /= 10
            } while rest > 0
            var length = digits
            if value < 0 {
                out[0] = UInt8(ascii: "-")
                length += 1
            }
            rest = value.magnitude
            for index in stride(from: length - 1, through: length - digits, by: -1) {
                out[index] = UInt8(truncatingIfNeeded: 0x30 + rest % 10)
                rest /= 10
            }
            return length
        }
    }

    public mutating func number(_ value: Double) {
        if value.isFinite, value == value.rounded(), abs(value) < 1e15 {
            integer(Int64(value))
        } else {
            var text = value.description
            text.withUTF8 { append(UnsafeRawBufferPointer($0)) }
        }
    }

    public mutating func string(_ value: String) {
        var value = value
        value.withUTF8 { _ = string(utf8: $0) }
    }

    /// Writes `utf8` as a JSON string, escaping quotes, backslashes and
    /// control characters and nothing else; bytes above 0x7F are copied as
    /// they are, so the caller owes valid UTF-8. Returns whether every byte
    /// was ASCII, so a caller that must check UTF-8 (recorded bodies) can skip
    /// its own pass over the usual ASCII body.
    ///
    /// Request bodies are JSON themselves, so a quote every few bytes is
    /// normal. One pass, eight bytes at a time, with a few stores per quote
    /// instead of a copy call per run between quotes; only control characters
    /// take a byte-by-byte path.
    @discardableResult
    public mutating func string(utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        // Room for the worst case (every byte a six-byte escape) when the
        // buffer has it anyway, as a reused one does; otherwise the exact
        // length, counted first so the buffer grows once and no further than
        // needed. Plus a word of slack: the shifted stores below may write up
        // to eight bytes past the end, which nothing keeps.
        let worstCase = utf8.count * 6 + 2 + 8
        let room = count + worstCase <= capacity ? worstCase : escapedLength(utf8) + 8
        var isASCII = true
        write(reserving: room) { out in
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
                var tail: UInt8 = 0
                while index < utf8.count {
                    tail |= input[index]
                    position += writeByte(input[index], to: out + position)
                    index += 1
                }
                isASCII = (seenWords | UInt64(tail)) & 0x8080_8080_8080_8080 == 0
            }
            out[position] = UInt8(ascii: "\"")
            return position + 1
        }
        return isASCII
    }
}

/// The length of `utf8` as a quoted JSON string.
private func escapedLength(_ utf8: UnsafeBufferPointer<UInt8>) -> Int {
    guard let input = utf8.baseAddress else { return 2 }
    var length = utf8.count + 2
    var index = 0
    while index + 8 <= utf8.count {
        let special = WordEscapes(UnsafeRawPointer(input + index).loadUnaligned(as: UInt64.self).littleEndian)
        length += flaggedBytes(special.quoteOrBackslash) + 5 * flaggedBytes(special.control)
        index += 8
    }
    while index < utf8.count {
        let byte = input[index]
        if byte == 0x22 || byte == 0x5C { length += 1 } else if byte < 0x20 { length += 5 }
        index += 1
    }
    return length
}

/// How many bytes of `flags` (as made by `WordEscapes`) have their high bit
/// set. A multiply sums the bytes, where `nonzeroBitCount` costs a dozen
/// instructions on the baseline x86-64 this is built for (no POPCNT).
@inline(__always)
private func flaggedBytes(_ flags: UInt64) -> Int {
    Int(truncatingIfNeeded: ((flags >> 7) &* 0x0101_0101_0101_0101) >> 56)
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
