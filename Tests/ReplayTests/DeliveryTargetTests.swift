import Delivery
import Testing

/// `DeliveryTarget(url:)`: what `--target` accepts and how it names what it refuses.
struct DeliveryTargetTests {
    struct Valid: Sendable, CustomTestStringConvertible {
        let url: String
        let host: String
        let port: Int
        let pathAndQuery: String
        let authority: String
        var isSecure = false
        var isIPAddress = false
        var testDescription: String { url }
    }

    static let valid: [Valid] = [
        Valid(url: "http://127.0.0.1:8080/webhooks?tenant=a", host: "127.0.0.1", port: 8080,
              pathAndQuery: "/webhooks?tenant=a", authority: "127.0.0.1:8080", isIPAddress: true),
        Valid(url: "http://example.com", host: "example.com", port: 80, pathAndQuery: "/", authority: "example.com"),
        Valid(url: "http://example.com/", host: "example.com", port: 80, pathAndQuery: "/", authority: "example.com"),
        Valid(url: "http://example.com?x=1&y=2", host: "example.com", port: 80, pathAndQuery: "/?x=1&y=2", authority: "example.com"),
        Valid(url: "http://example.com:81/a/b/", host: "example.com", port: 81, pathAndQuery: "/a/b/", authority: "example.com:81"),
        Valid(url: "http://example.com/a#fragment", host: "example.com", port: 80, pathAndQuery: "/a", authority: "example.com"),
        Valid(url: "http://example.com/a?q=1#fragment", host: "example.com", port: 80, pathAndQuery: "/a?q=1", authority: "example.com"),
        Valid(url: "http://example.com#fragment", host: "example.com", port: 80, pathAndQuery: "/", authority: "example.com"),
        Valid(url: "http://localhost:1/", host: "localhost", port: 1, pathAndQuery: "/", authority: "localhost:1"),
        Valid(url: "http://localhost:65535/hooks", host: "localhost", port: 65535, pathAndQuery: "/hooks", authority: "localhost:65535"),
        Valid(url: "HTTP://Example.COM/Path", host: "Example.COM", port: 80, pathAndQuery: "/Path", authority: "Example.COM"),
        Valid(url: "http://[::1]:8080/hooks", host: "::1", port: 8080, pathAndQuery: "/hooks", authority: "[::1]:8080", isIPAddress: true),
        Valid(url: "http://[::1]", host: "::1", port: 80, pathAndQuery: "/", authority: "[::1]", isIPAddress: true),
        Valid(url: "http://[fe80::1%25eth0]:9000?a", host: "fe80::1%25eth0", port: 9000, pathAndQuery: "/?a",
              authority: "[fe80::1%25eth0]:9000", isIPAddress: true),
        Valid(url: "http://a.b.c/p?q=http://x/y", host: "a.b.c", port: 80, pathAndQuery: "/p?q=http://x/y", authority: "a.b.c"),
        Valid(url: "https://receiver.example/hooks", host: "receiver.example", port: 443, pathAndQuery: "/hooks",
              authority: "receiver.example", isSecure: true),
        Valid(url: "HTTPS://127.0.0.1:8443", host: "127.0.0.1", port: 8443, pathAndQuery: "/", authority: "127.0.0.1:8443",
              isSecure: true, isIPAddress: true),
        Valid(url: "https://[::1]/h?q=1", host: "::1", port: 443, pathAndQuery: "/h?q=1", authority: "[::1]",
              isSecure: true, isIPAddress: true),
        Valid(url: "https://10.0.0.1.example.com/", host: "10.0.0.1.example.com", port: 443, pathAndQuery: "/",
              authority: "10.0.0.1.example.com", isSecure: true),
    ]

    @Test(arguments: valid)
    func validURLsAreSplit(_ expected: Valid) throws {
        let target = try DeliveryTarget(url: expected.url)
        #expect(target.host == expected.host)
        #expect(target.port == expected.port)
        #expect(target.pathAndQuery == expected.pathAndQuery)
        #expect(target.authority == expected.authority)
        #expect(target.isSecure == expected.isSecure)
        #expect(target.isIPAddress == expected.isIPAddress)
        #expect(target.description == expected.url)
    }

    static let invalid: [(url: String, reasonContains: String)] = [
        ("https://", "expected a host"),
        ("https://example.com:0/", "port '0' is not a number from 1 to 65535"),
        ("https:/example.com", "expected an absolute URL starting with http:// or https://"),
        ("example.com:8080/hooks", "expected an absolute URL starting with http://"),
        ("127.0.0.1:8080", "expected an absolute URL starting with http://"),
        ("ftp://example.com", "expected an absolute URL starting with http://"),
        ("http:/example.com", "expected an absolute URL starting with http://"),
        ("", "expected an absolute URL starting with http://"),
        ("http://", "expected a host"),
        ("http:///hooks", "expected a host"),
        ("http://?x=1", "expected a host"),
        ("http://:8080/hooks", "expected a host"),
        ("http://[]:8080", "expected a host"),
        ("http://example.com:0/", "port '0' is not a number from 1 to 65535"),
        ("http://example.com:70000/", "port '70000' is not a number from 1 to 65535"),
        ("http://example.com:65536", "port '65536' is not a number from 1 to 65535"),
        ("http://example.com:abc/", "port 'abc' is not a number from 1 to 65535"),
        ("http://example.com:-1/", "port '-1' is not a number from 1 to 65535"),
        ("http://example.com:/", "port '' is not a number from 1 to 65535"),
        ("http://user:pass@example.com/", "user info is not supported"),
        ("http://user@example.com:8080", "user info is not supported"),
        ("http://[::1/hooks", "unterminated IPv6 address"),
        ("http://[::1]x:80/", "unexpected text after the IPv6 address"),
        ("http://[::1]:0", "port '0' is not a number from 1 to 65535"),
        ("http://example.com:+80/", "port '+80' is not a number from 1 to 65535"),
        ("http://example.com:80:90/", "an IPv6 address needs brackets"),
        ("http://::1/", "an IPv6 address needs brackets"),
        ("http://fe80::1:8080/", "an IPv6 address needs brackets"),
    ]

    @Test(arguments: invalid)
    func invalidURLsAreRefusedWithAReason(url: String, reasonContains: String) {
        #expect {
            _ = try DeliveryTarget(url: url)
        } throws: { error in
            guard let error = error as? DeliveryTargetError else { return false }
            return error.url == url && error.reason.contains(reasonContains)
                && error.description == "target '\(url)': \(error.reason)"
        }
    }
}
