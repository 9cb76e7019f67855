import AsyncHTTPClient
import EventModel
import Foundation
import Receiver
import SegmentStore
import Testing
import TestSupport

struct RecorderTests {
    @Test func recordsTheExactBytesOfEveryPost() async throws {
        let running = try await RunningRecorder.start()
        defer { running.directory.remove() }
        let bodies: [[UInt8]] = [
            eventBody(1), eventBody(2, type: .queueItemAdded),
            Array("plain text, not JSON\n".utf8),
            [0x7B, 0xFF, 0x00, 0xFE, 0x7D],  // not UTF-8
            [],
        ]
        try await withClient { client async throws in
            for (index, body) in bodies.enumerated() {
                let reply = try await exchange(client, "\(running.base)/hooks/\(index)?tenant=a&x=1", body: body,
                                           headers: [("Content-Type", "application/json; charset=utf-8"),
                                                     ("X-UiPath-Signature", "sig\(index)"), ("X-Multi", "a"), ("x-multi", "b")])
                #expect(reply.status == 202)
            }
        }
        await running.recorder.shutdown()

        let records = try running.records()
        #expect(records.map(\.body) == bodies)
        #expect(records.map(\.seq) == [1, 2, 3, 4, 5])
        #expect(records.map(\.path) == (0..<5).map { "/hooks/\($0)" })
        #expect(records.allSatisfy { $0.query == "tenant=a&x=1" && $0.method == "POST" && $0.status == 202 })
        #expect(records.allSatisfy { $0.signature == .unchecked && $0.source == .recorded && $0.instance == "rec-test" })
        #expect(records.allSatisfy { $0.remote?.hasPrefix("127.0.0.1:") == true })
        #expect(records[0].type == "job.completed")
        #expect(records[0].eventId == "1")
        #expect(records[1].type == "queueItem.added")
        #expect(records[2].type == nil)
        #expect(records[0].header("X-UiPath-Signature") == "sig0")
        #expect(records[0].header("x-multi") == "a, b")
        #expect(records[0].headers.allSatisfy { $0.name == $0.name.lowercased() })
        #expect(try Recording(path: running.recording).openSegments.isEmpty, "shutdown seals")
    }

    @Test func signaturesAreVerifiedAndRejectedRequestsOptionallyKept() async throws {
        let secret = "s3crét"
        let signer = WebhookSignature(secret: secret)
        for recordRejected in [false, true] {
            let running = try await RunningRecorder.start {
                $0.secret = secret
                $0.requireSignature = true
                $0.recordRejected = recordRejected
            }
            defer { running.directory.remove() }
            let good = eventBody(10), bad = eventBody(11), missing = eventBody(12)
            try await withClient { client async throws in
                #expect(try await exchange(client, running.base + "/h", body: good, headers: [("x-uipath-signature", signer.sign(good))]).status == 202)
                #expect(try await exchange(client, running.base + "/h", body: bad, headers: [("X-UIPATH-Signature", signer.sign(good))]).status == 401)
                #expect(try await exchange(client, running.base + "/h", body: missing).status == 401)
            }
            await running.recorder.shutdown()
            let records = try running.records()
            if recordRejected {
                #expect(records.map(\.eventId) == ["10", "11", "12"])
                #expect(records.map(\.signature) == [.valid, .invalid, .missing])
                #expect(records.map(\.status) == [202, 401, 401])
            } else {
                #expect(records.map(\.eventId) == ["10"])
                #expect(records.first?.signature == .valid)
            }
        }
    }

    @Test func oversizeBodiesOtherMethodsHealthAndMetrics() async throws {
        let running = try await RunningRecorder.start { $0.maximumBodyBytes = 1000 }
        defer { running.directory.remove() }
        try await withClient { client async throws in
            let tooBig = try await exchange(client, running.base + "/h", body: [UInt8](repeating: 0x61, count: 1001))
            #expect(tooBig.status == 413)
            #expect(try await exchange(client, running.base + "/h", body: [UInt8](repeating: 0x61, count: 1000)).status == 202)
            let get = try await exchange(client, running.base + "/h", method: .GET)
            #expect(get.status == 405)
            #expect(get.headers.contains { $0.0.lowercased() == "allow" && $0.1 == "POST" })
            #expect(try await exchange(client, running.base + "/h", method: .PUT, body: [1]).status == 405)
            #expect(try await exchange(client, running.base + "/healthz", method: .GET).status == 200)
            let metrics = try await exchange(client, running.base + "/metrics", method: .GET)
            #expect(metrics.status == 200)
            #expect(metrics.body.contains(#"hookreel_record_requests_total{status="202",signature="unchecked"} 1"#))
            #expect(metrics.body.contains(#"hookreel_record_requests_total{status="413",signature="none"} 1"#))
            #expect(metrics.body.contains("hookreel_record_records_written_total 1"))
            #expect(metrics.body.contains("hookreel_record_fsync_seconds_count"))
            #expect(metrics.body.contains("hookreel_record_open_segment_bytes"))
            #expect(metrics.body.contains("hookreel_record_received_bytes_total 1000"))
        }
        await running.recorder.shutdown()
        #expect(try running.records().map(\.body.count) == [1000])
    }

    @Test(arguments: [Durability.fsync, .flush, .async])
    func rotatesUnderConcurrentLoadWithoutLosingOrDuplicating(durability: Durability) async throws {
        let running = try await RunningRecorder.start {
            $0.durability = durability
            $0.segmentOptions.maximumSegmentBytes = 2 << 10
        }
        defer { running.directory.remove() }
        let count = 600
        try await withClient { client async throws in
            try await withThrowingTaskGroup(of: Int.self) { group in
                for worker in 0..<16 {
                    group.addTask {
                        var accepted = 0
                        for id in stride(from: worker, to: count, by: 16) {
                            if try await exchange(client, running.base + "/h", body: eventBody(id)).status == 202 { accepted += 1 }
                        }
                        return accepted
                    }
                }
                var accepted = 0
                for try await n in group { accepted += n }
                #expect(accepted == count)
            }
        }
        await running.recorder.shutdown()
        let records = try running.records()
        #expect(records.count == count)
        #expect(Set(records.compactMap(\.eventId)) == Set((0..<count).map(String.init)))
        #expect(records.map(\.seq) == Array(1...Int64(count)))
        let recording = try Recording(path: running.recording)
        #expect(recording.segments.count > 2)
        #expect(RecordingInspector.inspect(recording, verify: true).issues.isEmpty)
    }

    @Test func aTornSegmentIsRecoveredAtStartAndSeqContinues() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // A previous run: 5 records flushed, then a crash mid-write.
        var factory = RecordFactory(seed: 60, instance: "rec-test")
        let writer = try SegmentWriter(directory: directory.file("rec"), instance: "rec-test")
        for _ in 0..<5 {
            try writer.append(factory.event())
            try writer.flush(.written)
        }
        let openPath = directory.file("rec/rec-test-0000000000000001.ndjson.zst.open")
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: openPath))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([0x01, 0x02, 0x03]))
        try handle.close()

        let running = try await RunningRecorder.start(directory: directory)
        #expect(running.recorder.recoveryReports.map(\.recoveredRecords) == [5])
        try await withClient { client async throws in
            #expect(try await exchange(client, running.base + "/h", body: eventBody(99)).status == 202)
        }
        await running.recorder.shutdown()
        let records = try running.records()
        #expect(records.map(\.seq) == [1, 2, 3, 4, 5, 6])
        #expect(records.last?.eventId == "99")
    }

    @Test(.enabled(if: ImmutableFlag.isAvailable, "needs root and a filesystem that keeps chattr +i"))
    func anUnwritableDirectoryGets503UntilItIsWritableAgain() async throws {
        let running = try await RunningRecorder.start()
        defer { running.directory.remove() }
        #expect(try runTool(["chattr", "+i", running.recording]) == 0)
        try await withClient { client async throws in
            let refused = try await exchange(client, running.base + "/h", body: eventBody(1))
            #expect(refused.status == 503)
            #expect(try await exchange(client, running.base + "/healthz", method: .GET).status == 503)
            #expect(try runTool(["chattr", "-i", running.recording]) == 0)
            #expect(try await exchange(client, running.base + "/h", body: eventBody(2)).status == 202)
            #expect(try await exchange(client, running.base + "/healthz", method: .GET).status == 200)
        }
        await running.recorder.shutdown()
        #expect(try running.records().map(\.eventId) == ["2"])
    }

    @Test func passThroughForwardsAndRecordsTheUpstreamAnswer() async throws {
        // The real receiver: another recorder that answers 201.
        let upstream = try await RunningRecorder.start(instance: "upstream") { $0.responseStatus = 201 }
        defer { upstream.directory.remove() }
        let running = try await RunningRecorder.start { $0.forwardURL = upstream.base + "/base" }
        defer { running.directory.remove() }
        let dead = try await RunningRecorder.start(instance: "dead") { _ in }
        let deadURL = dead.base
        await dead.recorder.shutdown()
        dead.directory.remove()
        let unreachable = try await RunningRecorder.start { $0.forwardURL = deadURL }
        defer { unreachable.directory.remove() }
        // A receiver whose answer has a body: one that refuses unsigned deliveries.
        let strict = try await RunningRecorder.start(instance: "strict") {
            $0.secret = "s"
            $0.requireSignature = true
        }
        defer { strict.directory.remove() }
        let throughStrict = try await RunningRecorder.start { $0.forwardURL = strict.base }
        defer { throughStrict.directory.remove() }

        try await withClient { client async throws in
            let reply = try await exchange(client, running.base + "/hooks/a?x=1", body: eventBody(7), headers: [
                ("X-UiPath-Signature", "abc"), ("Connection", "keep-alive, X-Hop"), ("X-Hop", "1"),
            ])
            #expect(reply.status == 201)
            #expect(try await exchange(client, unreachable.base + "/h", body: eventBody(8)).status == 502)
            let refused = try await exchange(client, throughStrict.base + "/h", body: eventBody(9))
            #expect(refused.status == 401)
            #expect(refused.body == "signature missing\n", "the receiver's body comes back")
            #expect(refused.headers.first { $0.0.lowercased() == "content-type" }?.1 == "text/plain; charset=utf-8")
        }
        for recorder in [running, upstream, unreachable, throughStrict, strict] { await recorder.recorder.shutdown() }

        let forwarded = try #require(try upstream.records().first)
        #expect(forwarded.path == "/base/hooks/a")
        #expect(forwarded.query == "x=1")
        #expect(forwarded.body == eventBody(7))
        #expect(forwarded.header("x-uipath-signature") == "abc")
        #expect(forwarded.header("x-hop") == nil, "a field the Connection field names stays on its hop")
        let captured = try #require(try running.records().first)
        #expect(captured.status == 201)
        #expect(captured.upstreamStatus == 201)
        #expect((captured.upstreamMilliseconds ?? -1) >= 0)
        let failed = try #require(try unreachable.records().first)
        #expect(failed.status == 502)
        #expect(failed.upstreamStatus == nil)
        #expect(failed.body == eventBody(8))
    }

    @Test func defaultInstanceIdsAreStableAndSafe() {
        let a = RecorderConfiguration.defaultInstance(hostName: "web-01.example.com", directory: "/data/rec")
        #expect(a == RecorderConfiguration.defaultInstance(hostName: "web-01.example.com", directory: "/data/rec"))
        #expect(a != RecorderConfiguration.defaultInstance(hostName: "web-01.example.com", directory: "/data/rec2"))
        #expect(a.hasPrefix("web-01.example.com-"))
        #expect(SegmentName.isValidInstance(RecorderConfiguration.defaultInstance(hostName: "häst/ 1", directory: "/x")))
    }
}

struct PipeliningTests {
    @Test func pipelinedRequestsAreAnsweredAndRecordedInOrder() async throws {
        let running = try await RunningRecorder.start()
        defer { running.directory.remove() }
        var requests: [UInt8] = []
        for id in 1...3 {
            let body = eventBody(id)
            requests += Array("POST /p\(id) HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body
        }
        requests += Array("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        let replies = try exchangeRaw(port: running.recorder.port, requests, until: "HTTP/1.1 ", count: 4)
        let statuses = replies.components(separatedBy: "HTTP/1.1 ").dropFirst().map { String($0.prefix(3)) }
        #expect(statuses == ["202", "202", "202", "405"])
        await running.recorder.shutdown()
        #expect(try running.records().map(\.path) == ["/p1", "/p2", "/p3"])
    }

    /// A request NIO cannot parse gets 400 and the connection closes; nothing
    /// is recorded, and the recorder goes on serving.
    @Test func anUnparsableRequestGets400AndTheConnectionCloses() async throws {
        let running = try await RunningRecorder.start()
        defer { running.directory.remove() }
        let reply = try exchangeRaw(port: running.recorder.port, Array("POST /h HTTP/1.1\r\nContent-Length: x\r\n\r\n".utf8))
        #expect(reply.hasPrefix("HTTP/1.1 400 Bad Request\r\n"), "\(reply)")
        #expect(reply.lowercased().contains("connection: close"), "\(reply)")
        let body = Array(#"{"Type":"job.started","EventId":"after"}"#.utf8)
        let request = Array("POST /ok HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n".utf8) + body
        #expect(try exchangeRaw(port: running.recorder.port, request).hasPrefix("HTTP/1.1 202"))
        await running.recorder.shutdown()
        #expect(try running.records().map(\.path) == ["/ok"])
    }

    /// A request that cannot be parsed behind one still being recorded: the
    /// first gets its 202 (it is kept, and a sender that saw no answer would
    /// send it again), then the 400, then the close.
    @Test func aRequestStillOwedItsAnswerGetsItBeforeThe400() async throws {
        let running = try await RunningRecorder.start()
        defer { running.directory.remove() }
        let body = eventBody(1)
        let bytes = Array("POST /first HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body
            + Array("NOT HTTP\r\n\r\n".utf8)
        let reply = try exchangeRaw(port: running.recorder.port, bytes)
        await running.recorder.shutdown()
        let statuses = reply.components(separatedBy: "HTTP/1.1 ").dropFirst().map { String($0.prefix(3)) }
        #expect(statuses == ["202", "400"], "\(reply)")
        #expect(try running.records().map(\.path) == ["/first"])
    }
}

