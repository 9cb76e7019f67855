/// What reading a request and reading a response share: where in a message
/// the reader is, the body's framing, the trailers, the end, what may follow
/// a connection's last message, and that an error is final. The parsers add
/// only what differs: how a complete head becomes a request or a response.
struct MessageReader: Sendable {
    enum Stage: Sendable {
        case head
        case body
        case trailers
        case end
        /// After a message that ends the connection: only stray line breaks may follow.
        case closed
        case failed(HTTPWireError)
    }

    /// What the next call to `read` found.
    enum Step {
        /// A head is complete in `head`: the parser makes it and calls `begin` or `skipHead`.
        case head
        case body(Range<Int>)
        case end
    }

    private(set) var stage = Stage.head
    var head: HeadReader
    private(set) var body = BodyReader.length(0)
    /// The stream offset of the next byte to read.
    private(set) var streamOffset = 0
    /// Whether the message being read is the connection's last (RFC 9112 §9.6).
    private var isLastMessage = false
    private let kind: HeadReader.Kind

    init(_ kind: HeadReader.Kind, limits: HeadLimits) {
        self.kind = kind
        head = HeadReader(kind: kind, limits: limits)
    }

    /// The next step from `input[index...]`; nil when the input is used up.
    /// After an error every call throws it again.
    mutating func read(_ input: UnsafeRawBufferPointer, at index: inout Int) throws(HTTPWireError) -> Step? {
        let inputOffset = streamOffset - index
        defer { streamOffset = inputOffset + index }
        do throws(HTTPWireError) {
            while true {
                switch stage {
                case .head:
                    guard try head.read(input, at: &index, inputOffset: inputOffset) else { return nil }
                    return .head
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
                    head.start(kind)
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
            fail(error)
            throw error
        }
    }

    /// After `.head`: the message's body is read with `body` (nil: none), and
    /// the connection ends after it unless `keepsAlive`.
    mutating func begin(body reader: BodyReader?, keepsAlive: Bool) {
        isLastMessage = !keepsAlive
        if let reader { (stage, body) = (.body, reader) } else { stage = .end }
    }

    /// After `.head`: the head was an interim one; the next head follows.
    mutating func skipHead() {
        head.start(kind)
    }

    /// The connection ended where a body delimited by the close may end: the message is complete.
    mutating func endAtClose() {
        head.start(kind)
        stage = .head
    }

    /// Makes `error` final.
    mutating func fail(_ error: HTTPWireError) {
        stage = .failed(error)
    }

    /// The error of a connection that ended inside a message, made final.
    mutating func incompleteMessage() -> HTTPWireError {
        let error = HTTPWireError(.incompleteMessage, at: streamOffset)
        stage = .failed(error)
        return error
    }
}
