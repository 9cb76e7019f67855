import Foundation

/// The identity server's client credentials grant (RFC 6749 §4.4), as
/// UiPath's identity server answers it: a form POST to the token endpoint
/// (`OrchestratorAddress.identityTokenURL`).
public enum ClientCredentialsGrant {
    public static let grantType = "client_credentials"
    public static let formContentType = "application/x-www-form-urlencoded"

    /// `grant_type=client_credentials&client_id=…&client_secret=…&scope=…`
    public static func form(clientId: String, clientSecret: String, scopes: [String]) -> String {
        FormEncoding.encode([("grant_type", grantType), ("client_id", clientId), ("client_secret", clientSecret),
                             ("scope", scopes.joined(separator: " "))])
    }
}

/// The token endpoint's success answer: `{"access_token", "expires_in", "token_type", "scope"}`.
public struct AccessTokenAnswer: Sendable, Equatable, Codable {
    public var accessToken: String
    /// Seconds the token is valid from now.
    public var expiresIn: Int
    /// `Bearer`
    public var tokenType: String
    /// The granted scopes, space-separated.
    public var scope: String?

    public init(accessToken: String, expiresIn: Int, tokenType: String = "Bearer", scope: String?) {
        self.accessToken = accessToken
        self.expiresIn = expiresIn
        self.tokenType = tokenType
        self.scope = scope
    }

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case expiresIn = "expires_in"
        case tokenType = "token_type"
        case scope
    }
}

/// The token endpoint's error answer (RFC 6749 §5.2): `{"error": "invalid_client", "error_description": …}`.
public struct OAuthErrorAnswer: Sendable, Equatable, Codable {
    public var error: String
    public var errorDescription: String?

    public init(error: String, errorDescription: String?) {
        self.error = error
        self.errorDescription = errorDescription
    }

    enum CodingKeys: String, CodingKey {
        case error
        case errorDescription = "error_description"
    }
}

/// `application/x-www-form-urlencoded`, as query strings and token requests use it.
public enum FormEncoding {
    /// Unreserved characters (RFC 3986) stay; everything else is percent-encoded, spaces as `%20`.
    public static func encode(_ pairs: [(name: String, value: String)]) -> String {
        pairs.map { "\(escape($0.name))=\(escape($0.value))" }.joined(separator: "&")
    }

    public static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    /// The pairs in order, names and values decoded (`+` is a space, `%2B` a plus).
    public static func decode(_ text: String?) -> [(name: String, value: String)] {
        guard let text, !text.isEmpty else { return [] }
        return text.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (unescape(parts[0]), parts.count > 1 ? unescape(parts[1]) : "")
        }
    }

    private static func unescape(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    private static let unreserved = CharacterSet(charactersIn:
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}
