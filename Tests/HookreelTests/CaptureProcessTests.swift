import AsyncHTTPClient
import EventModel
import Foundation
import NIOCore
import Testing
import TestSupport

/// What `record` keeps of production traffic: redacted values that never
/// reach the disk, filters by type, and the recording's later life (`inspect`,
/// `redact`, a re-signed replay).
@Suite(.serialized)
struct CaptureProcessTests {
    static let secret = "capture-secret"
    static let marker = "MARKER-7f3a-CONFIDENTIAL"

    private func jobBody(_ id: Int, type: String = "job.started") -> [UInt8] {
        Array(#"{"Type":"\#(type)","EventId":"\#(id)","Timestamp":"2026-11-29T10:00:00Z","Job":{"Id":\#(id),"Key":"k-\#(id)","State":"Running","InputArguments":{"Password":"\#(Self.marker)","Customer":"c\#(id)"},"Robot":{"Id":4}},"TenantId":1}"#.utf8)
    }

    /// Posts each body signed with `secret`; the answers' statuses in order.
    private func post(_ bodies: [[UInt8]], port: Int) async throws -> [Int] {
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        var statuses: [Int] = []
        let signature = WebhookSignature(secret: Self.secret)
        for body in bodies {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/hook")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
            request.headers.add(name: WebhookSignature.headerName, value: signature.sign(body))
            request.body = .bytes(ByteBuffer(bytes: body))
            let response = try await client.execute(request, timeout: .seconds(10))
            _ = try await response.body.collect(upTo: 1 << 16)
            statuses.append(Int(response.status.code))
        }
        try await client.shutdown()
        return statuses
    }

    private func scrape(port: Int) async throws -> String {
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        defer { _ = client.shutdown() }
        let response = try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/metrics"), timeout: .seconds(5))
        return String(buffer: try await response.body.collect(upTo: 1 << 20))
    }

    /// Whether any file under `directory` holds `text`'s bytes, as stored or
    /// decompressed (`zstd -dc`, which also reads the complete blocks of a
    /// segment still open): compressed bytes need not show a literal as it is.
    private func anyFileContains(_ directory: String, _ text: String) throws -> Bool {
        let needle = Data(text.utf8)
        return try FileManager.default.contentsOfDirectory(atPath: directory).contains { name in
            let path = directory + "/" + name
            let decompressed = directory + "/../decompressed"
            _ = try? runTool(["zstd", "-dcq", path], stdout: decompressed)
            defer { try? FileManager.default.removeItem(atPath: decompressed) }
            return [path, decompressed].contains { (try? Data(contentsOf: URL(fileURLWithPath: $0)))?.range(of: needle) != nil }
        }
    }

    private func secretFile(in directory: TemporaryDirectory) throws -> String {
        let path = directory.file("secret")
        try Data(Self.secret.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func redactedValuesNeverReachTheDiskAndTheRecordingReplaysResigned() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let recording = directory.file("rec")
        let secretFile = try secretFile(in: directory)
        let recorder = try ChildRecorder(arguments: [
            "--out", recording, "--instance", "redact-test", "--secret-file", secretFile, "--redact", "/Job/InputArguments",
        ])
        let statuses = try await post((1...40).map { jobBody($0) }, port: recorder.port)
        #expect(statuses == Array(repeating: 202, count: 40))
        // While the segment is open (fsync: its records are on disk) ...
        let open = try FileManager.default.contentsOfDirectory(atPath: recording)
        #expect(open.contains { $0.hasSuffix(".open") }, "\(open)")
        #expect(try !anyFileContains(recording, Self.marker))
        #expect(recorder.stop(with: SIGTERM) == 0)
        // ... and once sealed, compressed or not.
        #expect(try !anyFileContains(recording, Self.marker))
        let lines = try CommandRunner.hookreel(["cat", recording]).stdoutLines
        #expect(lines.count == 40)
        #expect(lines.allSatisfy { !$0.contains(Self.marker) })
        #expect(lines.allSatisfy { $0.contains(#""signature":"valid""#) }, "the verdict is the received body's")
        #expect(lines.allSatisfy { $0.contains(#""redacted":["/Job/InputArguments"]"#) })
        #expect(lines.allSatisfy { $0.contains(#"\"InputArguments\":{}"#) })
        let inspect = try CommandRunner.hookreel(["inspect", recording])
        #expect(inspect.stdoutText.contains("redacted    40 records"))

        // Sent as recorded, the changed bodies would carry signatures that no longer match: refused.
        let sink = try ChildServer(arguments: ["--secret-env", "SINK_SECRET", "--require-signature", "--seed", "1"],
                                   environment: ["SINK_SECRET": Self.secret])
        let target = "http://127.0.0.1:\(sink.port)/hook"
        let unsigned = try CommandRunner.hookreel(["replay", recording, "--target", target, "--rate", "500/s", "--quiet"])
        #expect(unsigned.status == 1)
        #expect(unsigned.stderr.contains("40 records of \(recording) were redacted when recorded"), "\(unsigned.stderr)")
        #expect(unsigned.stderr.contains("give --secret-env or --secret-file"))
        #expect(unsigned.stdoutText.isEmpty, "refused before the run: no report")
        // Re-signed, every request passes the sink's check.
        let signed = try CommandRunner.hookreel(["replay", recording, "--target", target, "--rate", "500/s", "--quiet",
                                                 "--secret-env", "REPLAY_SECRET"], environment: ["REPLAY_SECRET": Self.secret])
        #expect(signed.status == 0, "\(signed.stderr)")
        let summary = sink.stop(with: SIGTERM).stdout
        #expect(summary.contains("signatures: valid 40, invalid 0, missing 0"), "\(summary)")
    }

    @Test func filtersKeepWhatMatchesAnswerEverythingAndCountTheRest() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let recording = directory.file("rec")
        let recorder = try ChildRecorder(arguments: [
            "--out", recording, "--instance", "filter-test", "--only-type", "job.*", "--skip-type", "job.started",
        ])
        var bodies: [[UInt8]] = []
        bodies += (1...6).map { jobBody($0, type: "job.created") }
        bodies += (7...11).map { jobBody($0, type: "job.started") }
        bodies += (12...14).map { jobBody($0, type: "job.completed") }
        bodies += (15...18).map { id in Array(#"{"Type":"queueItem.added","EventId":"\#(id)"}"#.utf8) }
        bodies += [Array("not json".utf8)]
        let statuses = try await post(bodies, port: recorder.port)
        #expect(statuses == Array(repeating: 202, count: bodies.count), "left out, yet answered as usual")
        let metrics = try await scrape(port: recorder.port)
        #expect(recorder.stop(with: SIGTERM) == 0)
        #expect(metrics.contains(#"hookreel_record_skipped_total{type="job.started"} 5"#), "\(metrics)")
        #expect(metrics.contains(#"hookreel_record_skipped_total{type="queueItem.added"} 4"#))
        #expect(metrics.contains(#"hookreel_record_skipped_total{type="none"} 1"#))
        let inspect = try CommandRunner.hookreel(["inspect", recording, "--json"])
        let report = try JSONSerialization.jsonObject(with: inspect.stdout) as? [String: Any]
        let total = try #require(report?["total"] as? [String: Any])
        #expect(total["types"] as? [String: Int] == ["job.created": 6, "job.completed": 3])
    }

    @Test func strictRedactionRefusesWhatItCannotRedact() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let recording = directory.file("rec")
        let recorder = try ChildRecorder(arguments: [
            "--out", recording, "--instance", "strict-test", "--redact", "/Job/InputArguments", "--redact-strict",
        ])
        let statuses = try await post([Array("Password=\(Self.marker)".utf8), jobBody(1)], port: recorder.port)
        #expect(recorder.stop(with: SIGTERM) == 0)
        #expect(statuses == [422, 202])
        #expect(try !anyFileContains(recording, Self.marker))
        // The search finds the marker where it is kept: in a segment made from a record holding it.
        let control = directory.file("control")
        let line = #"{"v":1,"seq":1,"instance":"c","received_at":"2026-11-29T10:00:00.000000Z","method":"POST","path":"/","query":"","headers":{},"body":"\#(Self.marker)"}"#
        #expect(try CommandRunner.hookreel(["pack", "--out", control], stdin: Data((line + "\n").utf8)).status == 0)
        #expect(try anyFileContains(control, Self.marker))
        #expect(try CommandRunner.hookreel(["cat", recording]).stdoutLines.count == 1)
    }

    @Test func redactWritesARedactedCopyAndLeavesTheInputAlone() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let sample = CommandRunner.packageRoot + "/recordings/sample"
        let copy = directory.file("redacted")
        // queueItem.added carries an array of items, the transaction events one item.
        let result = try CommandRunner.hookreel([
            "redact", sample, "--out", copy, "--redact", "/QueueItems/*/SpecificContent", "--redact", "/QueueItem/SpecificContent",
            "--redact-hash", "--redact-key-env", "REDACT_KEY",
        ], environment: ["REDACT_KEY": "k"])
        #expect(result.status == 0, "\(result.stderr)")
        let before = try CommandRunner.hookreel(["cat", sample]).stdoutLines
        let after = try CommandRunner.hookreel(["cat", copy]).stdoutLines
        #expect(after.count == before.count)
        let queueItems = before.filter { $0.contains(#"\"SpecificContent\":{\""#) }.count
        #expect(queueItems > 0)
        #expect(after.filter { $0.contains(#""redacted":["/QueueItems/*/SpecificContent"]"#) }.count == 391)
        #expect(after.filter { $0.contains(#""redacted":["/QueueItem/SpecificContent"]"#) }.count == queueItems - 391)
        #expect(after.filter { $0.contains(#"\"SpecificContent\":{\"hmac\":\""#) }.count == queueItems)
        #expect(after.allSatisfy { !$0.contains(#"\"InvoiceNumber\""#) })
        #expect(result.stderr.contains("(\(queueItems) redacted)"))
        let again = try CommandRunner.hookreel(["redact", sample, "--out", copy, "--redact", "/Job"])
        #expect(again.status == 1)
        #expect(again.stderr.contains("already holds segments"))
        let badPointer = try CommandRunner.hookreel(["record", "--listen", "127.0.0.1:0", "--out", copy, "--redact", "Job"])
        #expect(badPointer.status == 64)
        #expect(badPointer.stderr.contains("'Job': a JSON Pointer starts with '/'"))
    }
}
