import Crypto
import Foundation

/// `X-UiPath-Signature`: standard base64 (with padding) of HMAC-SHA256 over the
/// exact body bytes, keyed with the secret's UTF-8 bytes
/// (docs/orchestrator-webhooks.md §1.3).
public struct WebhookSignature: Sendable {
    /// The header Orchestrator puts the signature in (read it case-insensitively).
    public static let headerName = "X-UiPath-Signature"

    private let key: SymmetricKey

    public init(secret: String) {
        key = SymmetricKey(data: Data(secret.utf8))
    }

    /// The header value for `body`.
    public func sign<Body: DataProtocol>(_ body: Body) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: body, using: key)).base64EncodedString()
    }

    /// Whether `header` is the signature of `body`. The comparison of MACs is
    /// constant-time; a header that is not base64 or a nil header is `.invalid` /
    /// `.missing`.
    public func verify<Body: DataProtocol>(_ body: Body, header: String?) -> SignatureVerdict {
        guard let header else { return .missing }
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        guard let mac = Data(base64Encoded: trimmed), mac.count == SHA256.byteCount else { return .invalid }
        return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: body, using: key) ? .valid : .invalid
    }
}
