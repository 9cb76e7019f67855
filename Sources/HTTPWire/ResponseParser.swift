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
    private var reader: MessageReader

    public init(limits: HeadLimits = HeadLimits()) {
        reader = MessageReader(.response, limits: limits)
    }

    /// The next part of the response being read, from `input[index...]`; nil when
    /// the input is used up. After an error every call throws it again.
    public mutating func read(from input: UnsafeRawBufferPointer, at index: inout Int) throws(HTTPWireError) -> ResponsePart? {
        while let step = try reader.read(input, at: &index) {
            switch step {
            case .head:
                let response: ResponseHead?
                do throws(HTTPWireError) { response = try makeHead() } catch {
                    reader.fail(error)
                    throw error
                }
                // An interim response: the final one follows.
                guard let response else {
                    reader.skipHead()
                    continue
                }
                return .head(response)
            case .body(let range): return .body(range)
            case .end: return .end
            }
        }
        return nil
    }

    /// Tells the parser the connection ended: `.end` for a body that ends with
    /// the connection, nil between responses, an error inside one.
    public mutating func finish() throws(HTTPWireError) -> ResponsePart? {
        switch reader.stage {
        case .head where !reader.head.hasStarted, .closed: return nil
        case .body where reader.body.isUntilClose, .end:
            reader.endAtClose()
            return .end
        case .failed(let error): throw error
        default: throw reader.incompleteMessage()
        }
    }

    /// The final response's head, with the body framing set up; nil for an interim one.
    private mutating func makeHead() throws(HTTPWireError) -> ResponseHead? {
        let headOffset = reader.head.headOffset
        let status = reader.head.status, version = reader.head.version
        // Nothing here asks to switch protocols (RFC 9110 §15.2.2).
        if status == 101 { throw HTTPWireError(.unexpectedSwitchingProtocols, at: headOffset) }
        let headers = reader.head.takeHead()
        let framing = try FramingFields(headers, headOffset: headOffset)
        try framing.checkTransferEncoding(for: version)
        if status < 200 {
            // An interim response that ends the connection leaves no way for the final one to come.
            guard framing.keepsAlive(version) else { throw HTTPWireError(.closingInterimResponse, at: headOffset) }
            return nil
        }
        // 204 and 304 never have a body, whatever the fields say (RFC 9112 §6.3).
        let body: BodyReader? =
            if status == 204 || status == 304 { nil }
            else if framing.isChunked { .chunked }
            else if let length = framing.contentLength { length == 0 ? nil : .length(length) }
            else { .untilClose }
        let keepAlive = framing.keepsAlive(version) && body?.isUntilClose != true
        reader.begin(body: body, keepsAlive: keepAlive)
        return ResponseHead(status: status, version: version, headers: headers, keepAlive: keepAlive)
    }
}
