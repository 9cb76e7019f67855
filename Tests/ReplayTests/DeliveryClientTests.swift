import Delivery
import NIOCore
import NIOHTTP1
import NIOPosix
import TestSupport
import Testing

/// The client's connection reuse rules, against a target that counts its
/// connections and can close one instead of answering.
@Suite struct DeliveryClientTests {
    private static let body = Array(#"{"Type":"job.started","EventId":"1"}"#.utf8)

    /// Sends `request` from loop 0 and waits for its outcome.
    private func send(_ client: DeliveryClient, _ request: DeliveryRequest) async -> DeliveryOutcome {
        await withCheckedContinuation { continuation in
            client.loops[0].execute {
                client.send(request, onLoop: 0) { continuation.resume(returning: $0) }
            }
        }
    }

    /// A client of `target` and the request the tests send to it.
    private func withClient(_ target: TestTarget, connections: Int = 1, tls: DeliveryTLS? = nil,
                            _ body: (DeliveryClient, DeliveryTarget, DeliveryRequest) async throws -> Void) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let deliveryTarget = try DeliveryTarget(url: target.url)
        let client = DeliveryClient(target: deliveryTarget, loops: [group.next()], connections: connections,
                                    timeout: .seconds(5), tls: tls)
        let request = try DeliveryRequestEncoder(target: deliveryTarget, fields: [("Content-Type", "application/json; charset=utf-8")],
                                                 signatureName: nil).encode(body: Self.body)
        try await body(client, deliveryTarget, request)
        await client.shutdown()
        try await target.stop()
        try await group.shutdownGracefully()
    }

    /// A receiver may close a keep-alive connection just as the next request
    /// goes out on it: that request is sent once more, on a new connection.
    @Test func aRequestDroppedByAReusedConnectionIsSentOnceMore() async throws {
        let target = try await TestTarget.start(drop: { $0 == 1 })
        try await withClient(target) { client, deliveryTarget, request in
            #expect(await send(client, request).result == .success(202))
            #expect(await send(client, request).result == .success(202))
        }
        #expect(target.received.count == 3, "the dropped request arrived twice")
        #expect(target.received.map(\.body) == Array(repeating: Self.body, count: 3))
        #expect(target.connections == 2)
    }

    /// On a connection that never answered anything, a close is the
    /// receiver's answer: no second try.
    @Test func aRequestDroppedByAFreshConnectionFailsAsReset() async throws {
        let target = try await TestTarget.start(drop: { $0 == 0 })
        try await withClient(target) { client, deliveryTarget, request in
            #expect(await send(client, request).result == .failure(.reset))
        }
        #expect(target.received.count == 1)
    }

    /// Receivers close idle connections (Node after 5 s); one idle for more
    /// than 2 s is not reused.
    @Test func aConnectionIdleForMoreThanTwoSecondsIsNotReused() async throws {
        let target = try await TestTarget.start()
        try await withClient(target) { client, deliveryTarget, request in
            #expect(await send(client, request).result == .success(202))
            #expect(await send(client, request).result == .success(202))
            #expect(target.connections == 1, "reused while fresh")
            try await Task.sleep(for: .milliseconds(2200))
            #expect(await send(client, request).result == .success(202))
        }
        #expect(target.connections == 2)
    }

    /// A connect that fails while another connection works is not the
    /// requests' failure: the waiting request goes out on the working
    /// connection once it is free (connects are retried after a back-off).
    @Test func aFailedConnectWhileAConnectionWorksFailsNoRequest() async throws {
        let target = try await TestTarget.start(delay: { $0 == 1 ? .milliseconds(300) : nil })
        try await withClient(target, connections: 2) { client, deliveryTarget, request in
            #expect(await send(client, request).result == .success(202))
            try await target.stopListening()
            // One request holds the open connection for 300 ms; the other needs a
            // second connection, which is refused.
            async let first = send(client, request)
            async let second = send(client, request)
            #expect(await [first.result, second.result] == [.success(202), .success(202)])
        }
        #expect(target.connections == 1)
        #expect(target.received.count == 3)
    }

    // MARK: https

    @Test func anHTTPSTargetWhoseCertificateIsTrustedGetsTheExactBodyOnOneKeptAliveConnection() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let target = try await TestTarget.start(isSecure: true)
        let tls = try DeliveryTLS(trusting: try TestCertificate.writeCertificate(in: directory))
        try await withClient(target, tls: tls) { client, deliveryTarget, request in
            #expect(deliveryTarget.isSecure && deliveryTarget.isIPAddress)
            #expect(await send(client, request).result == .success(202))
            #expect(await send(client, request).result == .success(202))
        }
        #expect(target.received.map(\.body) == [Self.body, Self.body])
        #expect(target.connections == 1)
    }

    /// Without `--ca-file` a self-signed certificate is not trusted: each
    /// request fails with a TLS error, and nothing reaches the receiver.
    @Test func anUntrustedCertificateFailsTheRequestWithATLSError() async throws {
        let target = try await TestTarget.start(isSecure: true)
        try await withClient(target, tls: try DeliveryTLS()) { client, deliveryTarget, request in
            let outcome = await send(client, request)
            guard case .failure(.other(let reason)) = outcome.result else {
                Issue.record("expected a TLS failure, got \(outcome.result)")
                return
            }
            #expect(reason.hasPrefix("TLS: "), "\(reason)")
        }
        #expect(target.received.isEmpty)
    }

    /// `--insecure`: any certificate is accepted, as Orchestrator's AllowInsecureSsl.
    @Test func withoutVerificationASelfSignedCertificateIsAccepted() async throws {
        let target = try await TestTarget.start(isSecure: true)
        try await withClient(target, tls: try DeliveryTLS(verifiesCertificates: false)) { client, deliveryTarget, request in
            #expect(await send(client, request).result == .success(202))
        }
        #expect(target.received.map(\.body) == [Self.body])
    }

    @Test func aCAFileThatIsNotPEMIsRefusedNamingTheFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("not-a-certificate.pem")
        try "hello".write(toFile: path, atomically: true, encoding: .utf8)
        let missing = directory.file("missing.pem")
        for file in [path, missing] {
            #expect {
                try DeliveryTLS(trusting: file)
            } throws: { error in
                (error as? DeliveryTLSError)?.description.hasPrefix("\(file): ") == true
            }
        }
    }
}
