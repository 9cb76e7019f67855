import OrchestratorAPI

/// Why a call to the Webhooks API (or its identity endpoint) failed. The
/// message names the call (`METHOD URL`), the status, and what the server
/// said: Orchestrator's `message`, `errorCode` and `traceId`, or OAuth's
/// `error` and `error_description`.
public struct WebhooksClientError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The API answered with an error status; `body` is Orchestrator's error, when it sent one.
        case api(status: Int, body: ErrorBody?)
        /// The identity endpoint refused the token request.
        case identity(status: Int, answer: OAuthErrorAnswer?)
        /// No answer: connection refused, TLS, timeout.
        case unreachable(reason: String)
        /// An answer that is not what the call returns.
        case unexpectedAnswer(reason: String)
    }

    public var kind: Kind
    /// `GET https://…/odata/Webhooks(4)`
    public var call: String
    /// The scope the call needs; named in a 403's message.
    public var access: WebhooksAccess?

    public init(_ kind: Kind, call: String, access: WebhooksAccess? = nil) {
        self.kind = kind
        self.call = call
        self.access = access
    }

    /// The HTTP status of an answered call.
    public var status: Int? {
        switch kind {
        case .api(let status, _), .identity(let status, _): status
        case .unreachable, .unexpectedAnswer: nil
        }
    }

    /// Orchestrator's `errorCode`, when the answer had one.
    public var errorCode: Int? {
        if case .api(_, let body?) = kind { return body.errorCode }
        return nil
    }

    public var description: String {
        switch kind {
        case .api(let status, let body):
            var text = "\(call): \(status)"
            if let body {
                text += ": \(body.message) (errorCode \(body.errorCode)"
                text += body.traceId.map { ", traceId \($0))" } ?? ")"
            }
            if status == 403, let access {
                text += "; the call needs the scope \(access.requirement)"
            }
            return text
        case .identity(let status, let answer):
            var text = "\(call): the identity server refused the token request: \(status)"
            if let answer {
                text += ": \(answer.error)"
                if let detail = answer.errorDescription { text += ": \(detail)" }
            }
            return text
        case .unreachable(let reason):
            return "\(call): no answer: \(reason)"
        case .unexpectedAnswer(let reason):
            return "\(call): unexpected answer: \(reason)"
        }
    }
}
