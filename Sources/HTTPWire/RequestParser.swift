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
    /// The stream offset of the next byte to read.
    private var streamOffset = 0
    /// Whether the message being read is the connection's last (RFC 9112 §9.6).
    private var isLastMessage = false

    public init(limits: HeadLimits = HeadLimits()) {
        head = HeadReader(kind: .request, limits: limits)
    }

    /// The next part of the request being read, from `input[index...]`; nil when
    /// the input is used up. After an error every call throws it again.
    public mutating func read(from input: UnsafeRawBufferPointer, at index: inout Int) throws(HTTPWireError) -> RequestPart? {
        let inputOffset = streamOffset - index
        defer { streamOffset = inputOffset + index }
        do throws(HTTPWireError) {
            while true {
                switch stage {
                case .head:
                    guard try head.read(input, at: &index, inputOffset: inputOffset) else { return nil }
                    let request = try makeHead()
                    isLastMessage = !request.keepAlive
                    switch request.contentLength {
                    case 0: stage = .end
                    case let length?: (stage, body) = (.body, .length(length))
                    case nil: (stage, body) = (.body, .chunked)
                    }
                    return .head(request)
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
                    head.start(.request)
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

    /// Tells the parser the connection ended: an error if it ended inside a request.
    public mutating func finish() throws(HTTPWireError) {
        switch stage {
        case .head where !head.hasStarted, .end, .closed: return
        case .failed(let error): throw error
        default:
            let error = HTTPWireError(.incompleteMessage, at: streamOffset)
            stage = .failed(error)
            throw error
        }
    }

    private mutating func makeHead() throws(HTTPWireError) -> RequestHead {
        let headOffset = head.headOffset
        let method = head.method, version = head.version, targetRange = head.targetRange
        let headers = head.takeHead()
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
