import AsyncHTTPClient
import EventModel
import Foundation
import Logging
@testable import Receiver
import SegmentStore
import Testing
import TestSupport

/// A sink on 127.0.0.1 and an ephemeral port.
private func startSink(_ configure: (inout SinkConfiguration) -> Void = { _ in }) async throws -> Sink {
    var configuration = SinkConfiguration()
    configure(&configuration)
    var logger = Logger(label: "test.sink")
    logger.logLevel = .critical
    return try await Sink.start(configuration, logger: logger)
}

private func base(_ sink: Sink) -> String { "http://127.0.0.1:\(sink.port)" }

/// A job event for job `key`.
private func jobEvent(_ type: EventType, eventId: String, key: String) -> [UInt8] {
    Array(#"{"Type":"\#(type.rawValue)","EventId":"\#(eventId)","Timestamp":"2026-11-29T10:00:00Z","Job":{"Id":1,"Key":"\#(key)","State":"Running"},"TenantId":1}"#.utf8)
}

/// Serialized: the timing tests must not share the CPU with the 1000-request one.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct SinkTests {
    @Test func answersDeliveriesAndAccountsForThem() async throws {
        let sink = try await startSink { $0.responseStatus = 202 }
        let posts: [[UInt8]] = [
            jobEvent(.jobStarted, eventId: "1", key: "job-a"),
            jobEvent(.jobCompleted, eventId: "2", key: "job-a"),
            jobEvent(.jobCompleted, eventId: "2", key: "job-a"),  // a duplicate, not a violation
            jobEvent(.jobStarted, eventId: "3", key: "job-a"),  // after job.completed
            jobEvent(.jobStarted, eventId: "4", key: "job-b"),
            Array("not JSON".utf8),
        ]
        let metrics = try await withClient { client async throws in
            for (index, body) in posts.enumerated() {
                #expect(try await exchange(client, base(sink) + "/any/path\(index)?q=1", body: body).status == 202)
            }
            let health = try await exchange(client, base(sink) + "/healthz", method: .GET)
            #expect(health.status == 200 && health.body == "ok\n")
            #expect(try await exchange(client, base(sink) + "/other", method: .GET).status == 405)
            return try await exchange(client, base(sink) + "/metrics", method: .GET)
        }
        #expect(metrics.status == 200)
        #expect(metrics.body.contains(#"hookreel_sink_requests_total{status="202"} 6"#))
        #expect(metrics.body.contains("hookreel_sink_duplicate_events_total 1"))
        #expect(metrics.body.contains("hookreel_sink_order_violations_total 1"))
        #expect(!metrics.body.contains("records_written"), "no recording, no record metrics")

        let summary = await sink.shutdown()
        #expect(summary.requestsReceived == 6)
        #expect(summary.statusesAnswered == [202: 6])
        #expect(summary.eventTypes == ["job.started": 3, "job.completed": 2, SinkSummary.noTypeKey: 1])
        #expect(summary.duplicateDeliveries == 1)
        #expect(summary.duplicateExamples == [SinkSummary.Duplicate(eventId: "2", type: "job.completed", deliveries: 2)])
        #expect(summary.orderViolations == 1)
        #expect(summary.orderViolationExamples.map(\.description) == ["job job-a: job.started after job.completed"])
        #expect(summary.distinctEntities == [.job: 2])
        #expect(summary.signatureVerdicts.isEmpty)
        #expect(summary.rate != nil && summary.activePeriod > .zero)
    }

    @Test(arguments: [false, true])
    func countsSignatureVerdictsAndEnforcesThemOnRequest(require: Bool) async throws {
        let secret = "s3crét"
        let signer = WebhookSignature(secret: secret)
        let sink = try await startSink {
            $0.secret = secret
            $0.requireSignature = require
        }
        let body = jobEvent(.jobStarted, eventId: "10", key: "k")
        let statuses = try await withClient { client async throws in
            [
                try await exchange(client, base(sink), body: body, headers: [("X-UIPATH-Signature", signer.sign(Array("other".utf8)))]).status,
                try await exchange(client, base(sink), body: body).status,
                try await exchange(client, base(sink), body: body, headers: [("x-uipath-signature", signer.sign(body))]).status,
            ]
        }
        let summary = await sink.shutdown()
        #expect(statuses == (require ? [401, 401, 200] : [200, 200, 200]))
        #expect(summary.signatureVerdicts == [.invalid: 1, .missing: 1, .valid: 1])
        // Refused deliveries were not taken, so only without --require-signature do repeats count.
        #expect(summary.duplicateDeliveries == (require ? 0 : 2))
        #expect(summary.text.contains("signatures: valid 1, invalid 1, missing 1"))
    }

    @Test func injectsErrorsAsThePlannerDrawsThem() async throws {
        let seed: UInt64 = 5
        let sink = try await startSink {
            $0.errorRate = 0.3
            $0.errorStatus = 503
            $0.seed = seed
        }
        let statuses = try await withClient { client async throws in
            var statuses: [Int] = []
            for id in 0..<200 {
                statuses.append(try await exchange(client, base(sink), body: jobEvent(.jobStarted, eventId: "\(id)", key: "k\(id)")).status)
            }
            // The same event again: a retry of a refused delivery is no duplicate.
            statuses.append(try await exchange(client, base(sink), body: jobEvent(.jobStarted, eventId: "0", key: "k0")).status)
            return statuses
        }
        let summary = await sink.shutdown()
        var configuration = SinkConfiguration()
        configuration.errorRate = 0.3
        configuration.errorStatus = 503
        let expected = AnswerPlanner(configuration: configuration, seed: seed)
        #expect(statuses == (0..<201).map { _ in expected.plan(isSignatureRejected: false).status })
        let errors = statuses.filter { $0 == 503 }.count
        #expect((40...80).contains(errors), "\(errors) of 201")
        #expect(summary.statusesAnswered == [200: 201 - errors, 503: errors])
        #expect(summary.duplicateDeliveries == (statuses[0] == 200 && statuses[200] == 200 ? 1 : 0))
        #expect(summary.seed == seed)
    }

    @Test func recordsByteExactBodiesInTheRecorderFormat() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let bodies: [[UInt8]] = [jobEvent(.jobStarted, eventId: "1", key: "k"), [0x7B, 0xFF, 0x00, 0xFE, 0x7D], []]
        let sink = try await startSink {
            $0.recording = SinkRecording(directory: directory.file("rec"), instance: "sink-test")
            $0.errorRate = 1
            $0.errorStatus = 502
        }
        try await withClient { client async throws in
            for body in bodies {
                #expect(try await exchange(client, base(sink) + "/hook?x=1", body: body, headers: [("X-Test", "yes")]).status == 502)
            }
        }
        await sink.shutdown()

        var issues: [ReadIssue] = []
        let records = RecordReader(try Recording(path: directory.file("rec"))) { issues.append($0) }.map { $0.record.decode() }
        #expect(issues.isEmpty)
        #expect(records.map(\.body) == bodies)
        #expect(records.map(\.seq) == [1, 2, 3])
        #expect(records.allSatisfy { $0.status == 502 && $0.instance == "sink-test" && $0.path == "/hook" && $0.query == "x=1" })
        #expect(records.allSatisfy { $0.signature == .unchecked && $0.source == .recorded && $0.header("x-test") == "yes" })
        #expect(records[0].type == "job.started" && records[0].eventId == "1")
    }

    @Test func stallHoldsAnswersUntilItEnds() async throws {
        let clock = ContinuousClock()
        let beforeStart = clock.now
        // Stalls over [600ms, 1000ms) after start.
        let sink = try await startSink { $0.stall = try! StallSchedule(duration: .milliseconds(400), every: .milliseconds(600)) }
        let started = clock.now
        try await withClient { client async throws in
            let early = clock.now
            #expect(try await exchange(client, base(sink), body: Array("{}".utf8)).status == 200)
            #expect(clock.now - early < .milliseconds(400), "answered at once before the first stall")

            try await Task.sleep(until: started + .milliseconds(700))
            let sent = clock.now
            #expect(try await exchange(client, base(sink), body: Array("{}".utf8)).status == 200)
            let answered = clock.now
            #expect(answered - beforeStart >= .milliseconds(1000), "held until the stall ended")
            #expect(answered - sent >= .milliseconds(100))
        }
        await sink.shutdown()
    }

    @Test func holdsAThousandAnswersAtOnceOnTimers() async throws {
        let sink = try await startSink { $0.latency = .constant(.milliseconds(500)) }
        let clock = ContinuousClock()
        let start = clock.now
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(5), concurrentHTTP1ConnectionsPerHostSoftLimit: 1000)
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(20))
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        let statuses = await withTaskGroup(of: Int.self) { group in
            for id in 0..<1000 {
                group.addTask {
                    var request = HTTPClientRequest(url: base(sink) + "/h")
                    request.method = .POST
                    request.body = .bytes(jobEvent(.jobStarted, eventId: "\(id)", key: "k\(id)"))
                    guard let response = try? await client.execute(request, timeout: .seconds(20)) else { return 0 }
                    _ = try? await response.body.collect(upTo: 1024)
                    return Int(response.status.code)
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let elapsed = clock.now - start
        try await client.shutdown()
        let summary = await sink.shutdown()
        #expect(statuses.filter { $0 == 200 }.count == 1000)
        #expect(summary.statusesAnswered == [200: 1000])
        // 1000 answers held 500 ms each, one after another, would take 500 s.
        #expect(elapsed < .seconds(15), "\(elapsed)")
    }

    @Test func anUnparsableRequestGets400AndTheConnectionCloses() async throws {
        let sink = try await startSink()
        let reply = try exchangeRaw(port: sink.port, Array("GARBAGE\r\n\r\n".utf8))
        let after = try exchangeRaw(port: sink.port, Array("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8))
        await sink.shutdown()
        #expect(reply.hasPrefix("HTTP/1.1 400 Bad Request\r\n"), "\(reply)")
        #expect(reply.lowercased().contains("connection: close"), "\(reply)")
        #expect(after.hasPrefix("HTTP/1.1 200"), "the sink goes on serving: \(after)")
    }

    @Test func aRequestStillOwedItsAnswerGetsItBeforeThe400() async throws {
        let sink = try await startSink { $0.latency = .constant(.milliseconds(200)) }
        let reply = try exchangeRaw(port: sink.port, Array("POST /h HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}NOT HTTP\r\n\r\n".utf8))
        await sink.shutdown()
        let statuses = reply.components(separatedBy: "HTTP/1.1 ").dropFirst().map { String($0.prefix(3)) }
        #expect(statuses == ["200", "400"], "\(reply)")
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        let sink = try await startSink { $0.latency = .constant(.milliseconds(200)) }
        let request = "POST /h HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"
            + "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
            + "GET /nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        let reply = try exchangeRaw(port: sink.port, Array(request.utf8))
        await sink.shutdown()
        // The POST's answer (empty) first, though the health check's was ready 200 ms sooner.
        let responses = reply.components(separatedBy: "HTTP/1.1 ").dropFirst()
        #expect(responses.map { $0.prefix(3) } == ["200", "200", "405"], "\(reply)")
        #expect(responses.first?.contains("Content-Length: 0") == true)
        #expect(responses.dropFirst().first?.hasSuffix("\r\n\r\nok\n") == true)
    }

    @Test func summaryTextNamesEveryCount() {
        var summary = SinkSummary()
        summary.requestsReceived = 11
        summary.activePeriod = .seconds(2)
        summary.signatureVerdicts = [.valid: 9, .invalid: 2]
        summary.duplicateDeliveries = 1
        summary.duplicateExamples = [SinkSummary.Duplicate(eventId: "77", type: "job.started", deliveries: 2)]
        summary.orderViolations = 1
        summary.orderViolationExamples = [LifecycleViolation(entity: EntityKey(kind: .queueItem, key: "q1"),
                                                             type: "queueItem.added", precedingType: "queueItem.transactionCompleted")]
        summary.distinctEntities = [.job: 2, .queueItem: 1]
        summary.eventTypes = ["job.started": 4, "queueItem.added": 7]
        summary.statusesAnswered = [200: 10, 500: 1]
        summary.seed = 3
        #expect(summary.text == """
            requests received: 11
            rate: 5.0 requests/s over 2s (first to last request)
            signatures: valid 9, invalid 2, missing 0
            duplicate EventIds: 1 (deliveries of an EventId already answered 2xx)
              77 (job.started): answered 2xx 2 times
            order violations: 1
              queueItem q1: queueItem.added after queueItem.transactionCompleted
            distinct Keys: jobs 2, queue items 1
            event types:
              queueItem.added  7
              job.started      4
            statuses answered:
              200  10
              500  1
            seed: 3

            """)
    }
}
