// HTTPWire: a strict HTTP/1.1 wire layer for the recorder (server side) and the
// replay client, with no dependencies.
//
// What it promises
// - `RequestParser` and `ResponseParser` take a connection's bytes in any split:
//   one byte per call gives the same parts as one block. A head is handed over
//   only once it is complete and valid; body bytes go out as ranges of the
//   caller's input (never copied); a message counts only once its `.end` comes,
//   so nothing of a refused message is ever complete.
// - `HeaderBlock` keeps the head as received: names and values as sent (a value
//   loses only its leading whitespace, as with NIOHTTP1, so records stay
//   byte-for-byte what they were), and the record's lower-cased, joined fields
//   only when asked.
// - `RequestHeadEncoder` renders a POST head once; each request adds only its
//   Content-Length and signature.
//
// What it refuses, with a typed `HTTPWireError` naming the rule and the byte
// offset (the recorder answers 400 and closes; the client fails the request as
// a protocol error):
// - anything that lets two parsers disagree on where a message ends (RFC 9112
//   §11.2): Content-Length with Transfer-Encoding (§6.1), a repeated or
//   malformed Content-Length (§6.3), a Transfer-Encoding other than exactly
//   `chunked`, or in HTTP/1.0 (§6.1), a chunk size that overflows, a malformed
//   chunk line or extension, a chunk line over 4 KiB (§7.1);
// - heads that lenient parsers read in different ways: obsolete line folding
//   (§5.2), whitespace before a colon (§5.1), a bare CR or bare LF (§2.2),
//   control characters, an invalid token in a method or field name (RFC 9110
//   §5.1), more than one space between request-line parts (§3), a target that
//   is not origin-form of RFC 3986 characters, or `*` for OPTIONS (§3.2), an
//   HTTP/1.1 request without exactly one Host (§3.2), a Connection with both
//   close and keep-alive (§9.3);
// - methods outside RFC 9110 and PATCH, CONNECT included; versions other than
//   HTTP/1.0 and 1.1; a head over `HeadLimits` (64 KiB, 256 field lines);
//   bytes after a message that closes the connection (§9.6); a 101 nobody asked
//   for, a 1xx that closes the connection, a status outside 100...599.
// Upgrade requests are read as ordinary requests (RFC 9110 §7.8 lets a server
// ignore Upgrade). Trailer fields are validated and dropped (RFC 9110 §6.5.1);
// one that would change the framing or the connection (Content-Length,
// Transfer-Encoding, Connection) is refused.
// The body limit is the caller's: `RequestHead.contentLength` tells it before
// the body comes, and `.body` parts count a chunked one.
//
// What it keeps between calls: the head (or trailer section) read so far, bytes
// already validated, so a head fed one byte per call is still read in one pass;
// its field spans; a few integers of framing state. Body bytes are never kept. After an
// error every call throws it again: the connection is done.

/// The HTTP versions HTTPWire speaks (RFC 9112 §2.3).
public enum HTTPVersion: Sendable, Hashable, CustomStringConvertible {
    case http1_0
    case http1_1

    public var description: String { self == .http1_0 ? "HTTP/1.0" : "HTTP/1.1" }
}

/// The request methods HTTPWire accepts: those of RFC 9110 §9 but CONNECT, and PATCH
/// (RFC 5789). Webhook senders POST; the rest get an answer (405), not a 400.
public enum RequestMethod: Sendable, Hashable, CaseIterable {
    case get, head, post, put, delete, options, trace, patch

    /// The method as it appears on the wire.
    public var name: String {
        switch self {
        case .get: "GET"
        case .head: "HEAD"
        case .post: "POST"
        case .put: "PUT"
        case .delete: "DELETE"
        case .options: "OPTIONS"
        case .trace: "TRACE"
        case .patch: "PATCH"
        }
    }

    /// The method spelled by `bytes` (case-sensitive, RFC 9110 §9.1).
    init?(_ bytes: UnsafeRawBufferPointer) {
        guard let method = Self.allCases.first(where: { $0.name.utf8.elementsEqual(bytes) }) else { return nil }
        self = method
    }
}

/// How large a head (or trailer section) may grow before it is refused.
public struct HeadLimits: Sendable, Hashable {
    /// Bytes from the start line to the empty line, both included.
    public var maximumBytes: Int
    /// Field lines in one head or trailer section.
    public var maximumFieldLines: Int

    public init(maximumBytes: Int = 64 * 1024, maximumFieldLines: Int = 256) {
        self.maximumBytes = maximumBytes
        self.maximumFieldLines = maximumFieldLines
    }
}
