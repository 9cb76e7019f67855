/// Reads a head (start line and field lines) or a trailer section, validating
/// each byte as it arrives: a head split anywhere is read in one pass, and a bad
/// byte is refused as soon as it is seen rather than once the line is complete.
///
/// The bytes of a head are copied, once, into `bytes` (the head must outlive the
/// caller's buffer); those of a trailer section too, until its fields are checked.
struct HeadReader {
    enum Kind {
        case request, response, trailers
    }

    private enum State {
        case requestLineStart
        case method
        case targetStart
        case target
        case asteriskTarget
        case requestVersion(matched: Int)
        case statusLineStart
        case responseVersion(matched: Int)
        case statusSpace
        case statusCode(digits: Int)
        case reasonPhrase
        case leadingEmptyLineEnd
        case startLineEnd
        case startLineFeed
        case fieldLineStart
        case fieldName
        case fieldValueStart
        case fieldValue
        case fieldLineFeed
        case sectionFeed
    }

    private static let versionPrefix: [UInt8] = Array("HTTP/1.".utf8)

    let limits: HeadLimits
    private(set) var kind: Kind
    private var state: State
    private(set) var bytes: [UInt8] = []
    private(set) var spans: [FieldSpan] = []
    /// Bytes of this section so far, kept or not (leading empty lines count).
    private var sectionBytes = 0
    private var fieldLineCount = 0
    /// Where the method or target being read starts in `bytes`.
    private var elementStart = 0
    // Where the field line being read lies in `bytes`.
    private var nameStart = 0
    private var nameEnd = 0
    private var valueStart = 0

    // What the start line said.
    private(set) var method: RequestMethod = .get
    private(set) var targetRange: Range<Int> = 0..<0
    private(set) var version: HTTPVersion = .http1_1
    private(set) var status = 0
    /// The stream offset of `bytes[0]` (or of a trailer section's start), for the
    /// offsets of errors found later.
    private(set) var headOffset = 0

    init(kind: Kind, limits: HeadLimits) {
        self.limits = limits
        self.kind = kind
        state = Self.initialState(kind)
        bytes.reserveCapacity(1024)
    }

    private static func initialState(_ kind: Kind) -> State {
        switch kind {
        case .request: .requestLineStart
        case .response: .statusLineStart
        case .trailers: .fieldLineStart
        }
    }

    /// Whether a byte of the section has been read (line breaks before a start line do not count).
    var hasStarted: Bool {
        switch state {
        case .requestLineStart, .statusLineStart, .leadingEmptyLineEnd: false
        default: true
        }
    }

    /// Starts a new section of `kind`, keeping the storage's capacity if the
    /// last head was handed over by `takeHead()`.
    mutating func start(_ kind: Kind) {
        self.kind = kind
        state = Self.initialState(kind)
        bytes.removeAll(keepingCapacity: true)
        spans.removeAll(keepingCapacity: true)
        sectionBytes = 0
        fieldLineCount = 0
    }

    /// Starts a trailer section, whose first byte is at stream offset `offset`.
    mutating func startTrailers(at offset: Int) {
        start(.trailers)
        headOffset = offset
    }

    /// Refuses a complete trailer section that names a field the framing or the
    /// connection depends on: too late to act on, and read differently by
    /// different parsers (RFC 9110 §6.5.1).
    func checkTrailers() throws(HTTPWireError) {
        for span in spans {
            switch FramingFields.knownName(bytes[span.name]) {
            case .contentLength, .transferEncoding, .connection:
                throw HTTPWireError(.framingFieldInTrailers, at: headOffset + Int(span.nameStart))
            case .expect, .host, nil:
                continue
            }
        }
    }

    /// Hands over the head read, leaving fresh storage sized like it.
    mutating func takeHead() -> HeaderBlock {
        let head = HeaderBlock(bytes: bytes, spans: spans)
        bytes = []
        bytes.reserveCapacity(max(head.bytes.count, 256))
        spans = []
        spans.reserveCapacity(head.spans.count)
        return head
    }

    /// Reads `input` from `index` on until the section is complete (true, with
    /// `index` after its empty line) or the input is used up (false).
    /// - Parameter inputOffset: the stream offset of `input[0]`.
    mutating func read(_ input: UnsafeRawBufferPointer, at index: inout Int, inputOffset: Int) throws(HTTPWireError) -> Bool {
        let allowance = limits.maximumBytes - sectionBytes
        let end = min(input.count, index + allowance)
        var i = index
        var segmentStart = index  // input[segmentStart..<i] is read but not yet in `bytes`
        defer {
            sectionBytes += i - index
            index = i
        }
        // Where input[at] is (or will be) in `bytes`.
        func position(_ at: Int) -> Int { bytes.count + at - segmentStart }
        func flush(to at: Int) {
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[segmentStart..<at]))
            segmentStart = at
        }
        func error(_ rule: HTTPWireError.Rule, _ at: Int) -> HTTPWireError { HTTPWireError(rule, at: inputOffset + at) }
        // A byte no rule of this state allows: LF and controls say so, anything else breaks `rule`.
        func unexpected(_ rule: HTTPWireError.Rule, _ at: Int) -> HTTPWireError {
            let byte = input[at]
            if byte == .lf { return error(.bareLineFeed, at) }
            if byte.isControl && byte != .cr && byte != .tab { return error(.controlCharacter, at) }
            return error(rule, at)
        }

        while i < end {
            let byte = input[i]
            switch state {
            // Request line (RFC 9112 §3).
            case .requestLineStart:
                // Empty lines before a request are skipped (RFC 9112 §2.2).
                if byte == .cr {
                    state = .leadingEmptyLineEnd
                    i += 1
                    continue
                }
                guard ByteSet.token.contains(byte) else { throw unexpected(.invalidMethod, i) }
                headOffset = inputOffset + i
                elementStart = position(i)
                state = .method
            case .method:
                let token = ByteSet.token
                while i < end, token.contains(input[i]) { i += 1 }
                guard i < end else { break }
                guard input[i] == .space else { throw unexpected(input[i] == .cr ? .malformedRequestLine : .invalidMethod, i) }
                flush(to: i)
                let name = bytes[elementStart...].withUnsafeBytes { RequestMethod($0) }
                guard let name else { throw HTTPWireError(.unsupportedMethod, at: headOffset) }
                method = name
                state = .targetStart
                i += 1
            case .targetStart:
                if byte == UInt8(ascii: "/") {
                    state = .target
                } else if byte == UInt8(ascii: "*") && method == .options {
                    state = .asteriskTarget
                } else {
                    throw unexpected(byte == .space || byte == .cr ? .malformedRequestLine : .invalidTarget, i)
                }
                elementStart = position(i)
                i += 1
            case .target:
                let target = ByteSet.target
                while i < end, target.contains(input[i]) { i += 1 }
                guard i < end else { break }
                guard input[i] == .space else { throw unexpected(input[i] == .cr ? .malformedRequestLine : .invalidTarget, i) }
                targetRange = elementStart..<position(i)
                state = .requestVersion(matched: 0)
                i += 1
            case .asteriskTarget:
                guard byte == .space else { throw unexpected(.invalidTarget, i) }
                targetRange = elementStart..<position(i)
                state = .requestVersion(matched: 0)
                i += 1
            case .requestVersion(let matched), .responseVersion(let matched):
                if matched < Self.versionPrefix.count {
                    guard byte == Self.versionPrefix[matched] else {
                        throw unexpected(byte == .space || byte == .cr ? (kind == .request ? .malformedRequestLine : .malformedStatusLine) : .unsupportedVersion, i)
                    }
                    if case .requestVersion = state { state = .requestVersion(matched: matched + 1) } else { state = .responseVersion(matched: matched + 1) }
                } else {
                    switch byte {
                    case UInt8(ascii: "0"): version = .http1_0
                    case UInt8(ascii: "1"): version = .http1_1
                    default: throw unexpected(.unsupportedVersion, i)
                    }
                    if case .requestVersion = state { state = .startLineEnd } else { state = .statusSpace }
                }
                i += 1
            case .startLineEnd:
                guard byte == .cr else { throw unexpected(byte == .space ? .malformedRequestLine : .unsupportedVersion, i) }
                state = .startLineFeed
                i += 1

            // Status line (RFC 9112 §4).
            case .statusLineStart:
                if byte == .cr {
                    state = .leadingEmptyLineEnd
                    i += 1
                    continue
                }
                headOffset = inputOffset + i
                state = .responseVersion(matched: 0)
            case .statusSpace:
                guard byte == .space else { throw unexpected(.unsupportedVersion, i) }
                status = 0
                state = .statusCode(digits: 0)
                i += 1
            case .statusCode(let digits) where digits < 3:
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { throw unexpected(.invalidStatus, i) }
                status = status * 10 + Int(byte - UInt8(ascii: "0"))
                state = .statusCode(digits: digits + 1)
                i += 1
            case .statusCode:
                guard (100...599).contains(status) else { throw error(.invalidStatus, i - 3) }
                if byte == .space {
                    state = .reasonPhrase
                } else if byte == .cr {
                    state = .startLineFeed
                } else {
                    throw unexpected((UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) ? .invalidStatus : .malformedStatusLine, i)
                }
                i += 1
            case .reasonPhrase:
                let reason = ByteSet.fieldValue
                while i < end, reason.contains(input[i]) { i += 1 }
                guard i < end else { break }
                guard input[i] == .cr else { throw unexpected(.controlCharacter, i) }
                state = .startLineFeed
                i += 1

            // Both start lines.
            case .leadingEmptyLineEnd:
                guard byte == .lf else { throw error(.bareCarriageReturn, i - 1) }
                // The empty line is not part of the head.
                bytes.removeAll(keepingCapacity: true)
                i += 1
                segmentStart = i
                state = Self.initialState(kind)
            case .startLineFeed:
                guard byte == .lf else { throw error(.bareCarriageReturn, i - 1) }
                state = .fieldLineStart
                i += 1

            // Field lines (RFC 9112 §5).
            case .fieldLineStart:
                if byte == .cr {
                    state = .sectionFeed
                    i += 1
                    continue
                }
                if byte == .space || byte == .tab { throw error(.obsoleteLineFolding, i) }
                guard ByteSet.token.contains(byte) else { throw unexpected(.invalidFieldName, i) }
                guard fieldLineCount < limits.maximumFieldLines else { throw error(.tooManyFieldLines, i) }
                fieldLineCount += 1
                nameStart = position(i)
                state = .fieldName
            case .fieldName:
                let token = ByteSet.token
                while i < end, token.contains(input[i]) { i += 1 }
                guard i < end else { break }
                switch input[i] {
                case .colon: break
                case .space, .tab: throw error(.whitespaceBeforeColon, i)
                case .cr: throw error(.missingColon, i)
                default: throw unexpected(.invalidFieldName, i)
                }
                nameEnd = position(i)
                state = .fieldValueStart
                i += 1
            case .fieldValueStart:
                if byte == .space || byte == .tab {
                    i += 1
                } else {
                    valueStart = position(i)
                    state = .fieldValue
                }
            case .fieldValue:
                let value = ByteSet.fieldValue
                while i < end, value.contains(input[i]) { i += 1 }
                guard i < end else { break }
                guard input[i] == .cr else { throw unexpected(.controlCharacter, i) }
                spans.append(FieldSpan(nameStart: UInt32(nameStart), nameEnd: UInt32(nameEnd),
                                       valueStart: UInt32(valueStart), valueEnd: UInt32(position(i))))
                state = .fieldLineFeed
                i += 1
            case .fieldLineFeed:
                guard byte == .lf else { throw error(.bareCarriageReturn, i - 1) }
                state = .fieldLineStart
                i += 1
            case .sectionFeed:
                guard byte == .lf else { throw error(.bareCarriageReturn, i - 1) }
                i += 1
                flush(to: i)
                return true
            }
        }
        if i == end && end < input.count { throw error(.headTooLarge, end) }
        flush(to: i)
        return false
    }
}
