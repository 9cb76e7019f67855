import EventModel
import Testing

struct WebhookSignatureTests {
    /// Known-answer vectors from docs/orchestrator-webhooks.md §1.3 (python hmac and openssl agree).
    @Test(arguments: [
        ("abcdef", #"{"Type":"ping","EventId":"3e5af0113e674ae597c579cb35ed8630"}"#, "hBc2lib/2gyG9h326Rq/pwhenmydQtDyVxv3xy0wbX8="),
        ("s3crét", "{}", "0oDbRP7cQHbfGNsxAUAK79CDBdaztjxQiZgM+C7nMNE="),
    ])
    func signsKnownVectors(secret: String, body: String, expected: String) {
        let signature = WebhookSignature(secret: secret)
        #expect(signature.sign(Array(body.utf8)) == expected)
        #expect(signature.verify(Array(body.utf8), header: expected) == .valid)
    }

    @Test func rejectsWrongMissingAndMalformedSignatures() {
        let signature = WebhookSignature(secret: "abcdef")
        let body = Array(#"{"Type":"ping"}"#.utf8)
        let good = signature.sign(body)
        #expect(signature.verify(body, header: nil) == .missing)
        #expect(signature.verify(body, header: "not base64!") == .invalid)
        #expect(signature.verify(body, header: "AAAA") == .invalid)
        #expect(signature.verify(body + [0x20], header: good) == .invalid)
        #expect(WebhookSignature(secret: "abcdeF").verify(body, header: good) == .invalid)
        #expect(signature.verify(body, header: " \(good) ") == .valid)
    }

    @Test func signatureIsStandardPaddedBase64NotHex() {
        let header = WebhookSignature(secret: "k").sign(Array("x".utf8))
        #expect(header.count == 44)
        #expect(header.hasSuffix("="))
        #expect(!header.hasPrefix("sha256="))
    }
}
