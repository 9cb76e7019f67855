import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// One request and its whole answer over AsyncHTTPClient: what both the API
/// calls and the token requests need.
struct HTTPExchange: Sendable {
    struct Answer: Sendable {
        /// `METHOD URL`, for messages.
        var call: String
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
    }

    /// Answers are small (a page of webhooks is at most 1000 of them).
    static let maximumAnswerBytes = 32 << 20

    let client: HTTPClient
    let timeout: Duration

    /// Sends `method url`; the error names the call.
    func send(_ method: HTTPMethod, _ url: String, headers: [(String, String)], body: [UInt8]?,
              call: String) async throws(WebhooksClientError) -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        do {
            let response = try await client.execute(request, timeout: TimeAmount(timeout))
            let bytes = try await response.body.collect(upTo: Self.maximumAnswerBytes)
            return Answer(call: call, status: Int(response.status.code), headers: response.headers, body: Array(bytes.readableBytesView))
        } catch {
            throw WebhooksClientError(.unreachable(reason: "\(error)"), call: call)
        }
    }
}
