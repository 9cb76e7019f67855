/// A request's head, complete and validated.
public struct RequestHead: Sendable {
    public let method: RequestMethod
    public let version: HTTPVersion
    /// The head as received; the target and the fields point into it.
    public let headers: HeaderBlock
    let targetRange: Range<Int>
    /// The body's declared length; nil for a chunked body. The caller enforces its
    /// own body limit: a declared length over it can be answered (413) before any
    /// body byte arrives, a chunked body by counting its `.body` parts.
    public let contentLength: Int?
    /// Whether the connection stays open after this request (RFC 9112 §9.3).
    public let keepAlive: Bool
    /// Whether the client waits for `100 Continue` before sending the body
    /// (RFC 9110 §10.1.1; ignored in HTTP/1.0).
    public let expectsContinue: Bool

    /// The request-target as received (origin-form, or `*`).
    public var targetBytes: ArraySlice<UInt8> { headers.bytes[targetRange] }
    public var target: String { String(decoding: targetBytes, as: UTF8.self) }
}

/// One part of a request, in order: `.head`, any `.body` parts, `.end`.
public enum RequestPart: Sendable {
    case head(RequestHead)
    /// Body bytes: a range of the input given to the call that returned it.
    case body(Range<Int>)
    /// The request is complete; only now is it a request to act on.
    case end
}

/// Reads the requests of one connection (the server side).
///
///     var index = 0
///     while let part = try parser.read(from: bytes, at: &index) { ... }
///
/// Every byte of `bytes` is consumed by the time `read` returns nil; the parser
/// keeps what it needs of a head that is not complete yet.
public struct RequestParser: Sendable {
    private var reader: MessageReader

    public init(limits: HeadLimits = HeadLimits()) {
        reader = MessageReader(.request, limits: limits)
    }

    /// The next part of the request being read, from `input[index...]`; nil when
    /// the input is used up. After an error every call throws it again.
    public mutating func read(from input: UnsafeRawBufferPointer, at index: inout Int) throws(HTTPWireError) -> RequestPart? {
        switch try reader.read(input, at: &index) {
        case .head:
            let request: RequestHead
            do throws(HTTPWireError) { request = try makeHead() } catch {
                reader.fail(error)
                throw error
            }
            let body: BodyReader? = switch request.contentLength {
                case 0: nil
                case let length?: .length(length)
                case nil: .chunked
            }
            reader.begin(body: body, keepsAlive: request.keepAlive)
            return .head(request)
        case .body(let range): return .body(range)
        case .end: return .end
        case nil: return nil
        }
    }

    /// Tells the parser the connection ended: an error if it ended inside a request.
    public mutating func finish() throws(HTTPWireError) {
        switch reader.stage {
        case .head where !reader.head.hasStarted, .end, .closed: return
        case .failed(let error): throw error
        default: throw reader.incompleteMessage()
        }
    }

    private mutating func makeHead() throws(HTTPWireError) -> RequestHead {
        let headOffset = reader.head.headOffset
        let method = reader.head.method, version = reader.head.version, targetRange = reader.head.targetRange
        let headers = reader.head.takeHead()
        let framing = try FramingFields(headers, headOffset: headOffset)
        try framing.checkTransferEncoding(for: version)
        if version == .http1_1 && framing.hostCount == 0 { throw HTTPWireError(.missingHost, at: headOffset) }
        return RequestHead(
            method: method, version: version, headers: headers, targetRange: targetRange,
            contentLength: framing.isChunked ? nil : framing.contentLength ?? 0,
            keepAlive: framing.keepsAlive(version),
            expectsContinue: framing.expectsContinue && version == .http1_1)
    }
}
