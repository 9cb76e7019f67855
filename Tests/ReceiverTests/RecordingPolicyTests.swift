import EventModel
import HTTPWire
import NIOCore
import Testing
@testable import Receiver

/// The recorder's decisions, without sockets: what a delivery's signature
/// decides, what its record holds, and when it is passed through.
@Suite struct RecordingPolicyTests {
    private static let secret = "policy-secret"
    private static let body = #"{"Type":"job.completed","EventId":"e-42","Job":{"Key":"k"}}"#

    private func request(signature: String?, body: String = body) throws -> ReceivedRequest {
        let signatureLine = signature.map { "X-UiPath-Signature: \($0)\r\n" } ?? ""
        let wire = Array("POST /hooks/a?tenant=7 HTTP/1.1\r\nHost: x\r\nUser-Agent: UA\r\nX-Dup: 1\r\n\(signatureLine)x-dup: 2\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)
        var parser = RequestParser()
        var head: RequestHead?
        var bodyBytes = ByteBuffer()
        let parsed: Result<Void, HTTPWireError> = wire.withUnsafeBytes { bytes in
            var index = 0
            do throws(HTTPWireError) {
                while let part = try parser.read(from: bytes, at: &index) {
                    switch part {
                    case .head(let parsed): head = parsed
                    case .body(let range): bodyBytes.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[range]))
                    case .end: break
                    }
                }
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try parsed.get()
        return ReceivedRequest(head: try #require(head), body: bodyBytes, isBodyTooLarge: false,
                               receivedAt: Timestamp(rfc3339: "2026-12-01T10:00:00Z")!, remote: "127.0.0.1:5000")
    }

    private func policy(_ configure: (inout RecorderConfiguration) -> Void = { _ in }) -> RecordingPolicy {
        var configuration = RecorderConfiguration(directory: "/unused", instance: "policy")
        configuration.secret = Self.secret
        configure(&configuration)
        return RecordingPolicy(configuration: configuration)
    }

    private var validSignature: String { WebhookSignature(secret: Self.secret).sign(Array(Self.body.utf8)) }

    @Test func aKeptDeliverysRecordHoldsWhatArrived() throws {
        guard case .keep(let builder, let status) = policy().decide(try request(signature: validSignature)) else {
            Issue.record("expected the delivery to be kept")
            return
        }
        #expect(status == 202)
        let record = builder.build()
        #expect(record.body == Array(Self.body.utf8))
        #expect(record.method == "POST" && record.path == "/hooks/a" && record.query == "tenant=7")
        #expect(record.type == "job.completed" && record.eventId == "e-42")
        #expect(record.signature == .valid)
        #expect(record.status == 202 && record.instance == "policy" && record.remote == "127.0.0.1:5000")
        // Names lower-cased, repeats joined in order of first appearance.
        #expect(record.headers.map(\.name) == ["host", "user-agent", "x-dup", "x-uipath-signature", "content-length"])
        #expect(record.headers.first { $0.name == "x-dup" }?.value == "1, 2")
    }

    @Test func withoutRequiringASignatureABadOneIsKeptAndMarked() throws {
        guard case .keep(let builder, _) = policy().decide(try request(signature: "bad")) else {
            Issue.record("expected the delivery to be kept")
            return
        }
        #expect(builder.build().signature == .invalid)
    }

    @Test(arguments: [(nil, SignatureVerdict.missing), ("bad", .invalid)] as [(String?, SignatureVerdict)])
    func aRequiredSignatureRejects(signature: String?, verdict: SignatureVerdict) throws {
        let strict = policy { $0.requireSignature = true }
        guard case .reject(let rejected, let record) = strict.decide(try request(signature: signature)) else {
            Issue.record("expected a rejection")
            return
        }
        #expect(rejected == verdict)
        #expect(record == nil, "rejected deliveries are not kept unless asked")
        let keeping = policy { $0.requireSignature = true; $0.recordRejected = true }
        guard case .reject(_, let kept?) = keeping.decide(try request(signature: signature)) else {
            Issue.record("expected a kept rejection")
            return
        }
        #expect(kept.build().status == 401 && kept.build().signature == verdict)
    }

    @Test func aValidRequiredSignatureIsKept() throws {
        let strict = policy { $0.requireSignature = true }
        guard case .keep(let builder, _) = strict.decide(try request(signature: validSignature)) else {
            Issue.record("expected the delivery to be kept")
            return
        }
        #expect(builder.build().signature == .valid)
    }

    @Test func passThroughForwardsWithTheRecordReady() throws {
        let forwarding = policy { $0.forwardURL = "http://127.0.0.1:9/receiver" }
        guard case .forward(let record) = forwarding.decide(try request(signature: validSignature)) else {
            Issue.record("expected a forward")
            return
        }
        #expect(record.status == nil, "the receiver's answer decides the status")
        #expect(record.body == Array(Self.body.utf8))
    }
}
