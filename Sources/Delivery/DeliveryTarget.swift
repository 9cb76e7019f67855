import NIOCore

/// Where replayed requests go: an absolute `http://` or `https://` URL split
/// into what a connection and a request line need.
public struct DeliveryTarget: Sendable, Equatable, CustomStringConvertible {
    public let host: String
    public let port: Int
    /// `https`: connections are TLS (see `DeliveryTLS`).
    public let isSecure: Bool
    /// The request target sent on every request line (path and query).
    public let pathAndQuery: String
    /// The `Host` header value.
    public let authority: String
    /// The host is an IPv4 or IPv6 address, not a name.
    public let isIPAddress: Bool
    public let description: String

    /// Parses `url`, e.g. `http://127.0.0.1:8080/webhooks?tenant=a`.
    public init(url: String) throws(DeliveryTargetError) {
        let lowered = url.lowercased()
        guard let scheme = ["http://", "https://"].first(where: { lowered.hasPrefix($0) }) else {
            throw DeliveryTargetError(url: url, reason: "expected an absolute URL starting with http:// or https://")
        }
        isSecure = scheme == "https://"
        let rest = url.dropFirst(scheme.count)
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        let authority = String(rest[..<authorityEnd])
        guard !authority.isEmpty, !authority.contains("@") else {
            throw DeliveryTargetError(url: url, reason: "expected a host (user info is not supported)")
        }
        var path = String(rest[authorityEnd...].prefix { $0 != "#" })
        if path.isEmpty || path.hasPrefix("?") { path = "/" + path }

        let host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                throw DeliveryTargetError(url: url, reason: "unterminated IPv6 address")
            }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let afterBracket = authority[authority.index(after: close)...]
            if afterBracket.hasPrefix(":") { portText = afterBracket.dropFirst() } else if !afterBracket.isEmpty {
                throw DeliveryTargetError(url: url, reason: "unexpected text after the IPv6 address")
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
            guard !host.contains(":") else {
                throw DeliveryTargetError(url: url, reason: "an IPv6 address needs brackets, e.g. http://[::1]:8080/")
            }
        } else {
            host = authority[...]
        }
        guard !host.isEmpty else { throw DeliveryTargetError(url: url, reason: "expected a host") }
        var port = isSecure ? 443 : 80
        if let portText {
            guard portText.allSatisfy({ ("0"..."9").contains($0) }), let parsed = Int(portText), (1...65_535).contains(parsed) else {
                throw DeliveryTargetError(url: url, reason: "port '\(portText)' is not a number from 1 to 65535")
            }
            port = parsed
        }
        self.host = String(host)
        self.port = port
        // Not a host name, so not for SNI or name checks: the certificate must
        // then name the address itself.
        isIPAddress = host.contains(":") || (try? SocketAddress(ipAddress: String(host), port: 0)) != nil
        self.pathAndQuery = path
        self.authority = authority
        description = url
    }
}

public struct DeliveryTargetError: Error, Sendable, Equatable, CustomStringConvertible {
    public let url: String
    public let reason: String
    public var description: String { "target '\(url)': \(reason)" }
}
