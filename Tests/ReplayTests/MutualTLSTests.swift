import Delivery
import HTTPWire
import NIOCore
import NIOPosix
import TestSupport
import Testing

/// Client certificates (`--cert`, `--key`): read and checked before any
/// connection, presented by replay's client and by the recorder's
/// pass-through to a receiver that requires them.
@Suite struct MutualTLSTests {
    private static let body = Array(#"{"Type":"job.started","EventId":"1"}"#.utf8)

    /// Sends one request to `target` with `tls`; its outcome.
    private func sendOne(to target: TestTarget, tls: DeliveryTLS) async throws -> DeliveryOutcome {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let deliveryTarget = try DeliveryTarget(url: target.url)
        let client = DeliveryClient(target: deliveryTarget, loops: [group.next()], connections: 1, timeout: .seconds(5), tls: tls)
        let request = try DeliveryRequestEncoder(target: deliveryTarget, fields: [("Content-Type", "application/json")],
                                                 signatureName: nil).encode(body: Self.body)
        let outcome = await withCheckedContinuation { continuation in
            client.loops[0].execute {
                client.send(request, onLoop: 0) { continuation.resume(returning: $0) }
            }
        }
        await client.shutdown()
        try await group.shutdownGracefully()
        return outcome
    }

    @Test(arguments: [false, true])
    func theClientPresentsItsCertificateToAReceiverThatRequiresOne(encryptedKey: Bool) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let files = try TestClientCertificate.writeFiles(in: directory)
        let certificate = try TLSIdentity(certificateFile: files.certificate, keyFile: encryptedKey ? files.encryptedKey : files.key,
                                                keyPassword: encryptedKey ? TestClientCertificate.password : nil)
        let caFile = try TestCertificate.writeCertificate(in: directory)
        let target = try await TestTarget.start(isSecure: true, requiresClientCertificate: true)
        let presented = try await sendOne(to: target, tls: try DeliveryTLS(trusting: caFile, clientCertificate: certificate))
        let withheld = try await sendOne(to: target, tls: try DeliveryTLS(trusting: caFile))
        try await target.stop()

        #expect(presented.result == .success(202))
        guard case .failure(.other(let reason)) = withheld.result else {
            Issue.record("expected a TLS failure, got \(withheld.result)")
            return
        }
        #expect(reason.hasPrefix("TLS: ") && reason.uppercased().contains("CERTIFICATE"), "\(reason)")
        #expect(target.received.map(\.body) == [Self.body], "only the request with the certificate arrived")
    }

    /// Forwards one request to `target` with `tls`, as the recorder's pass-through does; its result.
    private func forwardOne(to target: TestTarget, tls: DeliveryTLS) async throws -> Result<Forwarder.Response, Forwarder.Failure> {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let forwarder = try Forwarder(target: try DeliveryTarget(url: target.url), loops: [loop], timeout: .seconds(5),
                                      maximumConnections: 1, tls: tls)
        let head = try parsedRequestHead("POST /x HTTP/1.1\r\nHost: recorder\r\nContent-Length: \(Self.body.count)\r\n\r\n")
        let result = await withCheckedContinuation { continuation in
            loop.execute {
                forwarder.forward(head, body: ByteBuffer(bytes: Self.body), on: loop) { continuation.resume(returning: $0) }
            }
        }
        await forwarder.shutdown()
        try await group.shutdownGracefully()
        return result
    }

    @Test func theRecordersPassThroughPresentsTheCertificateToo() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let files = try TestClientCertificate.writeFiles(in: directory)
        let certificate = try TLSIdentity(certificateFile: files.certificate, keyFile: files.key, keyPassword: nil)
        let caFile = try TestCertificate.writeCertificate(in: directory)
        let target = try await TestTarget.start(isSecure: true, requiresClientCertificate: true)
        let forwarded = try await forwardOne(to: target, tls: try DeliveryTLS(trusting: caFile, clientCertificate: certificate))
        let refused = try await forwardOne(to: target, tls: try DeliveryTLS(trusting: caFile))
        try await target.stop()

        #expect((try? forwarded.get())?.status == 202)
        guard case .failure(let failure) = refused, case .other(let reason) = failure.reason else {
            Issue.record("expected the receiver to refuse a client without a certificate, got \(refused)")
            return
        }
        #expect(reason.uppercased().contains("CERTIFICATE"), "\(reason)")
        #expect(target.received.map(\.body) == [Self.body])
    }

    // MARK: Reading the files

    /// Each problem is found when the options are read, naming its file.
    @Test func unusableFilesAreRefusedNamingTheFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let files = try TestClientCertificate.writeFiles(in: directory)
        let notPEM = directory.file("not-pem.txt")
        try "hello".write(toFile: notPEM, atomically: true, encoding: .utf8)
        let otherKey = directory.file("other.key")
        try TestCertificate.privateKeyPEM.write(toFile: otherKey, atomically: true, encoding: .utf8)
        let missing = directory.file("missing.pem")

        let cases: [(certificate: String, key: String, password: String?, error: TLSIdentityError)] = [
            (missing, files.key, nil, .unreadable(path: missing, reason: "no such file")),
            (files.certificate, missing, nil, .unreadable(path: missing, reason: "no such file")),
            (notPEM, files.key, nil, .noCertificate(path: notPEM)),
            (files.key, files.key, nil, .noCertificate(path: files.key)),
            (files.certificate, notPEM, nil, .noPrivateKey(path: notPEM)),
            (files.certificate, files.certificate, nil, .noPrivateKey(path: files.certificate)),
            (files.certificate, files.encryptedKey, nil, .encryptedWithoutPassword(path: files.encryptedKey)),
            (files.certificate, files.encryptedKey, "not-the-password", .wrongPassword(path: files.encryptedKey)),
            (files.certificate, otherKey, nil, .keyDoesNotMatch(keyPath: otherKey, certificatePath: files.certificate)),
        ]
        for test in cases {
            #expect(throws: test.error) {
                try TLSIdentity(certificateFile: test.certificate, keyFile: test.key, keyPassword: test.password)
            }
        }
    }
}
