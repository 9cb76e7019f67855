import AsyncHTTPClient
import Foundation
import NIOCore
import Testing
import TestSupport

/// `record --tls-cert/--tls-key`: an https recorder receives the emulator's
/// deliveries, from a webhook that allows insecure SSL and from one verified
/// against a CA the emulator trusts (`orchestrator --ca-file`); a webhook that
/// verifies without trusting the CA fails, as on a tenant. The same for
/// `sink`, which `replay --ca-file` and `record --forward-ca-file` reach.
@Suite(.serialized)
struct HTTPSReceiverProcessTests {
    private func writeIdentity(in directory: TemporaryDirectory) throws -> (certificate: String, key: String) {
        let key = directory.file("receiver.key")
        try TestCertificate.privateKeyPEM.write(toFile: key, atomically: true, encoding: .utf8)
        return (try TestCertificate.writeCertificate(in: directory), key)
    }

    /// POSTs `json` to the emulator at `port`; the status and body.
    private func post(_ client: HTTPClient, port: Int, _ path: String, json: String) async throws -> (Int, String) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: json))
        let response = try await client.execute(request, timeout: .seconds(20))
        return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 1 << 20)))
    }

    private func register(_ client: HTTPClient, port: Int, name: String, url: String, allowInsecureSsl: Bool) async throws {
        let json = #"{"Name":"\#(name)","Url":"\#(url)","Enabled":true,"Secret":"s","SubscribeToAllEvents":true,"#
            + #""AllowInsecureSsl":\#(allowInsecureSsl),"Events":[]}"#
        let (status, body) = try await post(client, port: port, "/odata/Webhooks", json: json)
        #expect(status == 201, "\(body)")
    }

    @Test func anHttpsRecorderReceivesTheEmulatorsDeliveries() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let identity = try writeIdentity(in: directory)
        let recording = directory.file("rec")
        let recorder = try ChildRecorder(arguments: ["--out", recording, "--durability", "flush",
                                                     "--tls-cert", identity.certificate, "--tls-key", identity.key])
        let trusting = try ChildServer(command: "orchestrator", arguments: ["--db", directory.file("a.sqlite"), "--ca-file", identity.certificate],
                                       environment: [:])
        let untrusting = try ChildServer(command: "orchestrator", arguments: ["--db", directory.file("b.sqlite")], environment: [:])
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        let base = "https://127.0.0.1:\(recorder.port)"
        let event = #"{"Type":"job.created","EventId":"e-1","Timestamp":"2026-12-07T10:00:00Z","Job":{"Id":1,"Key":"k"},"TenantId":1}"#
        do {
            try await register(client, port: trusting.port, name: "trusted", url: base + "/trusted", allowInsecureSsl: false)
            try await register(client, port: untrusting.port, name: "insecure", url: base + "/insecure", allowInsecureSsl: true)
            try await register(client, port: untrusting.port, name: "checked", url: base + "/checked", allowInsecureSsl: false)
            let viaTrusted = try await post(client, port: trusting.port, "/hookreel/events", json: event)
            #expect(viaTrusted.1.contains(#""delivered":1"#) && viaTrusted.1.contains(#""failed":0"#), "\(viaTrusted.1)")
            let viaUntrusted = try await post(client, port: untrusting.port, "/hookreel/events", json: event)
            #expect(viaUntrusted.1.contains(#""delivered":1"#) && viaUntrusted.1.contains(#""failed":1"#), "\(viaUntrusted.1)")
        } catch {
            Issue.record("\(error)")
        }
        try await client.shutdown()
        _ = trusting.stop(with: SIGTERM)
        _ = untrusting.stop(with: SIGTERM)
        #expect(recorder.stop(with: SIGTERM) == 0, "\(recorder.stderr)")
        #expect(recorder.stderr.contains("scheme=https"), "\(recorder.stderr)")

        let cat = try CommandRunner.hookreel(["cat", recording])
        #expect(cat.status == 0, "\(cat.stderr)")
        let paths = cat.stdoutText.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["path"] as? String
        }
        #expect(paths.sorted() == ["/insecure", "/trusted"])
    }

    @Test func replayReachesAnHttpsSinkThatItsCAFileTrusts() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let identity = try writeIdentity(in: directory)
        let sink = try ChildServer(arguments: ["--tls-cert", identity.certificate, "--tls-key", identity.key], environment: [:])
        let sample = CommandRunner.packageRoot + "/recordings/sample"
        let target = "https://127.0.0.1:\(sink.port)/hook"
        let trusted = try CommandRunner.hookreel(["replay", sample, "--target", target, "--rate", "200/s", "--limit", "20",
                                                  "--ca-file", identity.certificate, "--quiet"])
        let untrusted = try CommandRunner.hookreel(["replay", sample, "--target", target, "--rate", "200/s", "--limit", "20", "--quiet"])
        let (status, summary) = sink.stop(with: SIGTERM)
        #expect(trusted.status == 0, "\(trusted.stderr)\(trusted.stdoutText)")
        #expect(trusted.stdoutText.contains("statuses          200: 20"), "\(trusted.stdoutText)")
        #expect(untrusted.status == 1, "no request reached a sink whose certificate is not trusted: \(untrusted.stdoutText)")
        #expect(status == 0)
        #expect(summary.split(separator: "\n").first == "requests received: 20", "\(summary)")

        let halfGiven = try CommandRunner.hookreel(["sink", "--listen", "127.0.0.1:0", "--tls-cert", identity.certificate])
        #expect(halfGiven.status == 64)
        #expect(halfGiven.stderr.contains("--tls-cert and --tls-key go together"), "\(halfGiven.stderr)")
    }

    /// `record --forward https://... --forward-ca-file`: the recorder passes
    /// deliveries on to a receiver whose certificate the file holds, and keeps
    /// its answer; without the file the receiver is not trusted (502, and no
    /// upstream status in the record).
    @Test func passThroughReachesAnHttpsReceiverThatItsCAFileTrusts() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let identity = try writeIdentity(in: directory)
        let sink = try ChildServer(arguments: ["--tls-cert", identity.certificate, "--tls-key", identity.key], environment: [:])
        let forward = "https://127.0.0.1:\(sink.port)"
        let trusting = try ChildRecorder(arguments: ["--out", directory.file("trusted"), "--forward", forward,
                                                     "--forward-ca-file", identity.certificate])
        let untrusting = try ChildRecorder(arguments: ["--out", directory.file("untrusted"), "--forward", forward])
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let trusted = try await post(client, port: trusting.port, "/hook", json: #"{"Type":"job.created"}"#)
        let untrusted = try await post(client, port: untrusting.port, "/hook", json: #"{"Type":"job.created"}"#)
        try await client.shutdown()
        #expect(trusting.stop(with: SIGTERM) == 0, "\(trusting.stderr)")
        #expect(untrusting.stop(with: SIGTERM) == 0, "\(untrusting.stderr)")
        _ = sink.stop(with: SIGTERM)

        #expect(trusted.0 == 200, "the sink's answer passed back: \(trusted)")
        #expect(untrusted.0 == 502, "\(untrusted)")
        func upstreamStatuses(_ recording: String) throws -> [Int?] {
            try CommandRunner.hookreel(["cat", directory.file(recording)]).stdoutText.split(separator: "\n").map { line in
                (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["upstream_status"] as? Int
            }
        }
        #expect(try upstreamStatuses("trusted") == [200])
        #expect(try upstreamStatuses("untrusted") == [nil])

        let plain = try CommandRunner.hookreel(["record", "--listen", "127.0.0.1:0", "--out", directory.file("plain"), "--forward", "http://127.0.0.1:1",
                                                "--forward-ca-file", identity.certificate])
        #expect(plain.status == 64)
        #expect(plain.stderr.contains("--forward-ca-file applies to an https:// --forward URL"), "\(plain.stderr)")
        let missing = try CommandRunner.hookreel(["record", "--listen", "127.0.0.1:0", "--out", directory.file("missing"),
                                                  "--forward", forward, "--forward-ca-file", directory.file("none.pem")])
        #expect(missing.status == 64)
        #expect(missing.stderr.contains(directory.file("none.pem")), "the message names the file: \(missing.stderr)")
    }
}
