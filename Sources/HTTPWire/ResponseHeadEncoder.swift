/// Renders the head of the recorder's and the sink's answers:
///
///     HTTP/1.1 <status> <reason>\r\n
///     Content-Length: <n>\r\n
///     <name>: <value>\r\n          (the fields given, in order)
///     \r\n
///
/// Every answer carries a Content-Length (never chunked), so a client always
/// knows where it ends. The fields are the server's own constants and the
/// content types it chose, never input from a client.
public enum ResponseHeadEncoder {
    /// `100 Continue`, the interim answer to `Expect: 100-continue` (RFC 9110 §10.1.1).
    public static let continueHead: [UInt8] = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// Appends the head of an answer with `status` and a body of `contentLength` bytes.
    public static func encode(status: Int, contentLength: Int, fields: [(name: String, value: String)] = [],
                              into output: inout [UInt8]) {
        precondition((100...999).contains(status), "a status has three digits")
        output += "HTTP/1.1 ".utf8
        output += String(status).utf8
        output.append(UInt8(ascii: " "))
        output += reasonPhrase(status).utf8
        output += "\r\nContent-Length: ".utf8
        output += String(contentLength).utf8
        output += "\r\n".utf8
        for (name, value) in fields {
            output += name.utf8
            output += ": ".utf8
            output += value.utf8
            output += "\r\n".utf8
        }
        output += "\r\n".utf8
    }

    /// The reason phrase of RFC 9110 §15 for `status` (clients ignore it, but
    /// people reading a capture do not); empty for statuses it does not name.
    public static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 410: "Gone"
        case 413: "Content Too Large"
        case 422: "Unprocessable Content"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: ""
        }
    }
}
