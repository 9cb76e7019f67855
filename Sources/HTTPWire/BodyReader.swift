/// Finds a body's bytes in the input: a known length, chunks (RFC 9112 §7.1),
/// or everything until the connection closes. It keeps no body bytes, only
/// where it is in the framing.
struct BodyReader {
    enum Step {
        /// Body bytes: a range of the input.
        case data(Range<Int>)
        /// The last chunk was read: a trailer section follows.
        case trailers
        /// The body is complete.
        case end
    }

    private enum State {
        case length(remaining: Int)
        case untilClose
        case chunkSize(digits: Int)
        case extensionNameStart
        case extensionName
        case extensionValueStart
        case extensionToken
        case extensionQuoted
        case extensionQuotedPair
        case extensionQuotedEnd
        case chunkSizeFeed
        case chunkData(remaining: Int)
        case chunkDataEnd
        case chunkDataFeed
    }

    /// Chunk lines are short; a longer one would hide bytes from a body limit.
    static let maximumChunkLineBytes = 4096

    private var state: State
    private var chunkSize = 0
    private var chunkLineBytes = 0

    static func length(_ length: Int) -> BodyReader { BodyReader(state: .length(remaining: length)) }
    static let chunked = BodyReader(state: .chunkSize(digits: 0))
    static let untilClose = BodyReader(state: .untilClose)

    private init(state: State) {
        self.state = state
    }

    /// Whether the body ends only when the connection does.
    var isUntilClose: Bool {
        if case .untilClose = state { return true }
        return false
    }

    /// The next step of the body, reading `input` from `index`; nil once the
    /// input is used up. - Parameter inputOffset: the stream offset of `input[0]`.
    mutating func read(_ input: UnsafeRawBufferPointer, at index: inout Int, inputOffset: Int) throws(HTTPWireError) -> Step? {
        func error(_ rule: HTTPWireError.Rule) -> HTTPWireError { HTTPWireError(rule, at: inputOffset + index) }
        while true {
            if case .length(0) = state { return .end }
            guard index < input.count else { return nil }
            let byte = input[index]
            switch state {
            case .length(let remaining):
                let data = index..<index + min(remaining, input.count - index)
                state = .length(remaining: remaining - data.count)
                index = data.upperBound
                return .data(data)
            case .untilClose:
                let data = index..<input.count
                index = data.upperBound
                return .data(data)
            case .chunkData(let remaining):
                let data = index..<index + min(remaining, input.count - index)
                state = data.count == remaining ? .chunkDataEnd : .chunkData(remaining: remaining - data.count)
                index = data.upperBound
                return .data(data)
            case .chunkDataEnd:
                guard byte == .cr else { throw error(.invalidChunkTerminator) }
                state = .chunkDataFeed
            case .chunkDataFeed:
                guard byte == .lf else { throw error(.invalidChunkTerminator) }
                state = .chunkSize(digits: 0)
                chunkSize = 0
                chunkLineBytes = 0
            default:
                // One byte of a chunk line: size, extensions, CRLF.
                chunkLineBytes += 1
                guard chunkLineBytes <= Self.maximumChunkLineBytes else { throw error(.chunkLineTooLong) }
                if let step = try readChunkLine(byte, at: inputOffset + index) {
                    index += 1
                    return step
                }
            }
            index += 1
        }
    }

    /// Reads one byte of a chunk line; returns a step when the line completes one.
    /// - Parameter offset: the byte's stream offset.
    private mutating func readChunkLine(_ byte: UInt8, at offset: Int) throws(HTTPWireError) -> Step? {
        func error(_ rule: HTTPWireError.Rule) -> HTTPWireError { HTTPWireError(rule, at: offset) }
        switch state {
        case .chunkSize(let digits):
            if let digit = byte.hexValue {
                guard chunkSize <= (Int.max - digit) / 16 else { throw error(.chunkSizeOverflow) }
                chunkSize = chunkSize * 16 + digit
                state = .chunkSize(digits: digits + 1)
            } else if digits > 0 && byte == UInt8(ascii: ";") {
                state = .extensionNameStart
            } else if digits > 0 && byte == .cr {
                state = .chunkSizeFeed
            } else {
                throw error(.invalidChunkSize)
            }
        // chunk-ext = *( ";" token [ "=" ( token / quoted-string ) ] ), no whitespace (RFC 9112 §7.1.1).
        case .extensionNameStart:
            guard ByteSet.token.contains(byte) else { throw error(.invalidChunkExtension) }
            state = .extensionName
        case .extensionName, .extensionToken:
            if ByteSet.token.contains(byte) { break }
            if byte == UInt8(ascii: "="), case .extensionName = state {
                state = .extensionValueStart
            } else {
                try endExtension(byte, at: offset)
            }
        case .extensionValueStart:
            if byte == UInt8(ascii: "\"") {
                state = .extensionQuoted
            } else {
                guard ByteSet.token.contains(byte) else { throw error(.invalidChunkExtension) }
                state = .extensionToken
            }
        case .extensionQuoted:
            if byte == UInt8(ascii: "\"") {
                state = .extensionQuotedEnd
            } else if byte == UInt8(ascii: "\\") {
                state = .extensionQuotedPair
            } else {
                guard ByteSet.quotedText.contains(byte) else { throw error(.invalidChunkExtension) }
            }
        case .extensionQuotedPair:
            guard ByteSet.quotedPair.contains(byte) else { throw error(.invalidChunkExtension) }
            state = .extensionQuoted
        case .extensionQuotedEnd:
            try endExtension(byte, at: offset)
        case .chunkSizeFeed:
            guard byte == .lf else { throw HTTPWireError(.bareCarriageReturn, at: offset - 1) }
            if chunkSize == 0 { return .trailers }
            state = .chunkData(remaining: chunkSize)
        case .length, .untilClose, .chunkData, .chunkDataEnd, .chunkDataFeed:
            preconditionFailure("not a chunk line state")
        }
        return nil
    }

    /// After an extension: another one, or the end of the line.
    private mutating func endExtension(_ byte: UInt8, at offset: Int) throws(HTTPWireError) {
        switch byte {
        case UInt8(ascii: ";"): state = .extensionNameStart
        case .cr: state = .chunkSizeFeed
        default: throw HTTPWireError(.invalidChunkExtension, at: offset)
        }
    }
}
