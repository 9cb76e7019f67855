/// A response's head, complete and validated.
public struct ResponseHead: Sendable {
    public let status: Int
    public let version: HTTPVersion
    /// The head as received.
    public let headers: HeaderBlock
    /// Whether the connection can carry another request after this response
    /// (RFC 9112 §9.3): never when the body ends with the connection.
    public let keepAlive: Bool
}

/// One part of a response, in order: `.head`, any `.body` parts, `.end`.
public enum ResponsePart: Sendable {
    case head(ResponseHead)
    /// Body bytes: a range of the input given to the call that returned it.
    case body(Range<Int>)
    case end
}

/// Reads the responses on one connection (the client side). Interim (1xx)
/// responses are read and dropped; responses to HEAD are not supported (the
/// client only POSTs). Anything it cannot read unambiguously is an error, which
/// the client reports as a protocol failure.
public struct ResponseParser: Sendable {
    private enum Stage: Sendable {
        case head
        case body
        case trailers
        case end
        /// After a message that ends the connection: only stray line breaks may follow.
        case closed
        case failed(HTTPWireError)
    }

    private var stage = Stage.head
    private var head: HeadReader
    private var body = BodyReader.length(0)
    private var streamOffset = 0
    /// Whether the message being read is the connection's last (RFC 9112 §9.6).
    private var isLastMessage = false

    public init(limits: HeadLimits = HeadLimits()) {
        head = HeadReader(kind: .response, limits: limits)
    }

    /// The next part of the response being read, from `input[index...]`; nil when
    /// the input is used up. After an error every call throws it again.
    public mutating func read(from input: UnsafeRawBufferPointer, at index: inout Int) throws(HTTPWireError) -> ResponsePart? {
        let inputOffset = streamOffset - index
        defer { streamOffset = inputOffset + index }
        do throws(HTTPWireError) {
            while true {
                switch stage {
                case .head:
                    guard try head.read(input, at: &index, inputOffset: inputOffset) else { return nil }
                    guard let response = try makeHead() else {
                        head.start(.response)  // an interim response: the final one follows
                        continue
                    }
                    isLastMessage = !response.keepAlive
                    return .head(response)
                case .body:
                    switch try body.read(input, at: &index, inputOffset: inputOffset) {
                    case .data(let range): return .body(range)
                    case .trailers:
                        head.startTrailers(at: inputOffset + index)
                        stage = .trailers
                    case .end: stage = .end
                    case nil: return nil
                    }
                case .trailers:
                    guard try head.read(input, at: &index, inputOffset: inputOffset) else { return nil }
                    try head.checkTrailers()
                    stage = .end
                case .end:
                    head.start(.response)
                    stage = isLastMessage ? .closed : .head
                    return .end
                case .closed:
                    guard let stray = input[index...].firstIndex(where: { $0 != .cr && $0 != .lf }) else {
                        index = input.count
                        return nil
                    }
                    throw HTTPWireError(.dataAfterClose, at: inputOffset + stray)
                case .failed(let error):
                    throw error
                }
            }
        } catch {
            stage = .failed(error)
            throw error
        }
    }

    /// Tells the parser the connection ended: `.end` for a body that ends with
    /// the connection, nil between responses, an error inside one.
    public mutating func finish() throws(HTTPWireError) -> ResponsePart? {
        switch stage {
        case .head where !head.hasStarted, .closed: return nil
        case .body where body.isUntilClose, .end:
            head.start(.response)
            stage = .head
            return .end
        case .failed(let error): throw error
        default:
            let error = HTTPWireError(.incompleteMessage, at: streamOffset)
            stage = .failed(error)
            throw error
        }
    }

    /// The final response's head, with the body framing set up; nil for an interim one.
    private mutating func makeHead() throws(HTTPWireError) -> ResponseHead? {
        let headOffset = head.headOffset
        let status = head.status, version = head.version
        // Nothing here asks to switch protocols (RFC 9110 §15.2.2).
        if status == 101 { throw HTTPWireError(.unexpectedSwitchingProtocols, at: headOffset) }
        let headers = head.takeHead()
        let framing = try FramingFields(headers, headOffset: headOffset)
        try framing.checkTransferEncoding(for: version)
        if status < 200 {
            // An interim response that ends the connection leaves no way for the final one to come.
            guard framing.keepsAlive(version) else { throw HTTPWireError(.closingInterimResponse, at: headOffset) }
            return nil
        }
        // 204 and 304 never have a body, whatever the fields say (RFC 9112 §6.3).
        let reader: BodyReader? =
            if status == 204 || status == 304 { nil }
            else if framing.isChunked { .chunked }
            else if let length = framing.contentLength { length == 0 ? nil : .length(length) }
            else { .untilClose }
        if let reader { (stage, body) = (.body, reader) } else { stage = .end }
        return ResponseHead(status: status, version: version, headers: headers,
                            keepAlive: framing.keepsAlive(version) && reader?.isUntilClose != true)
    }
}
