/// Why bytes were refused: the rule they broke and where.
public struct HTTPWireError: Error, Sendable, Hashable, CustomStringConvertible {
    public var rule: Rule
    /// The offending byte's offset in the connection's byte stream (for the
    /// encoder, in the offending string).
    public var offset: Int

    public init(_ rule: Rule, at offset: Int) {
        self.rule = rule
        self.offset = offset
    }

    public var description: String { "\(rule.summary) (byte \(offset))" }

    /// One rule of the grammar or of HTTPWire's strictness.
    public enum Rule: String, Sendable, Hashable, CaseIterable {
        // Start line
        case invalidMethod
        case unsupportedMethod
        case malformedRequestLine
        case invalidTarget
        case unsupportedVersion
        case malformedStatusLine
        case invalidStatus
        case unexpectedSwitchingProtocols
        case closingInterimResponse
        // Any line of a head
        case bareCarriageReturn
        case bareLineFeed
        case controlCharacter
        case obsoleteLineFolding
        case whitespaceBeforeColon
        case invalidFieldName
        case missingColon
        case headTooLarge
        case tooManyFieldLines
        // Framing
        case contentLengthWithTransferEncoding
        case repeatedContentLength
        case invalidContentLength
        case unsupportedTransferCoding
        case transferEncodingInHTTP10
        case contradictoryConnectionOptions
        case missingHost
        case repeatedHost
        // Chunked body
        case invalidChunkSize
        case chunkSizeOverflow
        case invalidChunkExtension
        case chunkLineTooLong
        case invalidChunkTerminator
        case framingFieldInTrailers
        // Connection
        case dataAfterClose
        case incompleteMessage
        // Encoder input
        case invalidFieldValue
        case reservedField

        /// The rule, in a sentence fragment that cites where it comes from.
        public var summary: String {
            switch self {
            case .invalidMethod: "method is not a token (RFC 9110 §9.1)"
            case .unsupportedMethod: "method is not one of RFC 9110 and PATCH, or is CONNECT"
            case .malformedRequestLine: "request line is not method SP target SP version (RFC 9112 §3)"
            case .invalidTarget: "request target is not origin-form of RFC 3986 characters, or * for OPTIONS (RFC 9112 §3.2)"
            case .unsupportedVersion: "version is not HTTP/1.0 or HTTP/1.1 (RFC 9112 §2.3)"
            case .malformedStatusLine: "status line is not version SP status [SP reason] (RFC 9112 §4)"
            case .invalidStatus: "status code is not in 100...599 (RFC 9110 §15)"
            case .unexpectedSwitchingProtocols: "101 response to a request that asked for no upgrade (RFC 9110 §15.2.2)"
            case .closingInterimResponse: "1xx response that closes the connection, so no final response can follow (RFC 9110 §15.2)"
            case .bareCarriageReturn: "CR not followed by LF (RFC 9112 §2.2)"
            case .bareLineFeed: "LF not preceded by CR (RFC 9112 §2.2)"
            case .controlCharacter: "control character in the head (RFC 9110 §5.5)"
            case .obsoleteLineFolding: "field line starts with whitespace: obsolete line folding (RFC 9112 §5.2)"
            case .whitespaceBeforeColon: "whitespace between field name and colon (RFC 9112 §5.1)"
            case .invalidFieldName: "field name is not a token (RFC 9110 §5.1)"
            case .missingColon: "field line has no colon (RFC 9112 §5)"
            case .headTooLarge: "head is larger than the limit"
            case .tooManyFieldLines: "head has more field lines than the limit"
            case .contentLengthWithTransferEncoding: "both Content-Length and Transfer-Encoding (RFC 9112 §6.1)"
            case .repeatedContentLength: "more than one Content-Length (RFC 9112 §6.3)"
            case .invalidContentLength: "Content-Length is not a decimal number that fits (RFC 9110 §8.6)"
            case .unsupportedTransferCoding: "Transfer-Encoding is not exactly chunked (RFC 9112 §6.1)"
            case .transferEncodingInHTTP10: "Transfer-Encoding in an HTTP/1.0 message (RFC 9112 §6.1)"
            case .contradictoryConnectionOptions: "Connection has both close and keep-alive (RFC 9112 §9.3)"
            case .missingHost: "HTTP/1.1 request without Host (RFC 9112 §3.2)"
            case .repeatedHost: "more than one Host (RFC 9112 §3.2)"
            case .invalidChunkSize: "chunk size is not hexadecimal digits (RFC 9112 §7.1)"
            case .chunkSizeOverflow: "chunk size does not fit in an Int (RFC 9112 §7.1)"
            case .invalidChunkExtension: "chunk extension is not ;name[=token|quoted-string] (RFC 9112 §7.1.1)"
            case .chunkLineTooLong: "chunk line is longer than 4 KiB"
            case .invalidChunkTerminator: "chunk data not followed by CRLF (RFC 9112 §7.1)"
            case .dataAfterClose: "bytes after the message that closes the connection (RFC 9112 §9.6)"
            case .framingFieldInTrailers: "Content-Length, Transfer-Encoding or Connection in a trailer section (RFC 9110 §6.5.1)"
            case .incompleteMessage: "connection ended inside a message (RFC 9112 §8)"
            case .invalidFieldValue: "field value has a character outside field-vchar, SP and HTAB (RFC 9110 §5.5)"
            case .reservedField: "field is set by the encoder itself"
            }
        }
    }
}
