import Delivery
import EventModel
import Foundation
import Primitives
import Synchronization
import NIOCore
import Reporting
import SegmentStore
import TestSupport
import Testing
@testable import Replay

/// The engine against a real socket on 127.0.0.1, with small bounded loads.
@Suite struct ReplayEngineTests {
    private func makeRecording(_ records: [RecordedRequest], in directory: TemporaryDirectory) throws -> Recording {
        let path = directory.file("recording")
        try Recording.createDirectory(path)
        let writer = try SegmentWriter(directory: path, instance: "test-a")
        for record in records { try writer.append(record) }
        try writer.seal()
        return try Recording(path: path)
    }

    private func events(_ count: Int, gapMicroseconds: Int64 = 1000) -> [RecordedRequest] {
        var factory = RecordFactory(seed: 7)
        return (0..<count).map { _ in factory.event(gapMicroseconds: gapMicroseconds) }
    }

    private func run(_ configuration: ReplayConfiguration) async throws -> RunResult {
        try await ReplayEngine(configuration: configuration) { issue in Issue.record("unexpected read issue: \(issue)") }.run()
    }

    @Test func sendsTheRecordedBodiesByteForByteWithOrchestratorsHeadersAndANewSignature() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let records = events(60)
        let target = try await TestTarget.start()
        var configuration = ReplayConfiguration(
            recording: try makeRecording(records, in: directory), target: try DeliveryTarget(url: target.url),
            pacer: RatePacer(curve: ArrivalCurve(startRate: 2000), process: .uniform, seed: 1))
        let signature = WebhookSignature(secret: "replay-secret")
        configuration.rewrites = ReplayRewrites(signature: signature, extraHeaders: [("X-Test-Run", "42")])
        let result = try await run(configuration)
        try await target.stop()

        let received = target.received
        // Several connections: arrival order is not send order.
        #expect(received.count == records.count)
        #expect(Set(received.map(\.body)) == Set(records.map(\.body)), "bodies arrive exactly as recorded")
        for request in received {
            #expect(request.uri == "/hooks/orchestrator")
            #expect(request.headers["Content-Type"] == ["application/json; charset=utf-8"])
            #expect(request.headers["User-Agent"] == ["UiPath-WebhookService/Webhooks"])
            #expect(request.headers["X-Test-Run"] == ["42"])
            #expect(signature.verify(request.body, header: request.headers.first(name: "X-UiPath-Signature")) == .valid)
        }
        #expect(result.statistics.requests == 60)
        #expect(result.statistics.statusCounts == [202: 60])
        #expect(result.statistics.bytesReceived == 120)
        #expect(result.metadata.targetRate == 2000)
        #expect(result.metadata.pacing == "constant 2000/s (uniform)")
    }

    /// An https target: with its certificate trusted every body arrives as
    /// recorded; with only the system's roots, every request fails as `other`,
    /// and the engine keeps the first reason for the user.
    @Test func anHTTPSTargetIsReplayedWithTheConfiguredTrust() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let records = events(20)
        let recording = try makeRecording(records, in: directory)
        let caFile = try TestCertificate.writeCertificate(in: directory)
        let target = try await TestTarget.start(isSecure: true)
        var configuration = ReplayConfiguration(
            recording: recording, target: try DeliveryTarget(url: target.url),
            pacer: RatePacer(curve: ArrivalCurve(startRate: 2000), process: .uniform, seed: 1))
        configuration.connections = 4

        configuration.tls = try DeliveryTLS(trusting: caFile)
        let trusted = try await run(configuration)
        configuration.tls = nil
        let untrustedEngine = ReplayEngine(configuration: configuration) { issue in Issue.record("unexpected read issue: \(issue)") }
        let untrusted = try await untrustedEngine.run()
        try await target.stop()

        #expect(trusted.statistics.statusCounts == [202: 20])
        #expect(Set(target.received.map(\.body)) == Set(records.map(\.body)))
        #expect(target.received.count == 20, "nothing arrives from the untrusted run")
        #expect(untrusted.statistics.errorCounts == [.other: 20])
        #expect(untrustedEngine.firstOtherError?.hasPrefix("TLS: ") == true, "the reason a user is shown")
    }

    /// A receiver that requires a client certificate: with `--cert`/`--key`
    /// every body arrives; without, every request fails in the handshake and
    /// the first reason, the one a user is shown, says so.
    @Test func aReceiverRequiringAClientCertificateGetsTheRunOnlyWithOne() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let records = events(20)
        let files = try TestClientCertificate.writeFiles(in: directory)
        let caFile = try TestCertificate.writeCertificate(in: directory)
        let target = try await TestTarget.start(isSecure: true, requiresClientCertificate: true)
        var configuration = ReplayConfiguration(
            recording: try makeRecording(records, in: directory), target: try DeliveryTarget(url: target.url),
            pacer: RatePacer(curve: ArrivalCurve(startRate: 2000), process: .uniform, seed: 1))
        configuration.connections = 4

        let certificate = try TLSIdentity(certificateFile: files.certificate, keyFile: files.encryptedKey,
                                                keyPassword: TestClientCertificate.password)
        configuration.tls = try DeliveryTLS(trusting: caFile, clientCertificate: certificate)
        let presented = try await run(configuration)
        configuration.tls = try DeliveryTLS(trusting: caFile)
        let withoutEngine = ReplayEngine(configuration: configuration) { issue in Issue.record("unexpected read issue: \(issue)") }
        let without = try await withoutEngine.run()
        try await target.stop()

        #expect(presented.statistics.statusCounts == [202: 20])
        #expect(target.received.count == 20, "nothing arrives without the certificate")
        #expect(without.statistics.statusCounts.isEmpty)
        #expect(without.statistics.errorCounts == [.other: 20], "\(without.statistics.errorCounts)")
        let reason = withoutEngine.firstOtherError ?? ""
        #expect(reason.hasPrefix("TLS: ") && reason.uppercased().contains("CERTIFICATE"), "\(reason)")
    }

    @Test func withoutASecretTheRecordedSignatureIsSentAsRecorded() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var records = events(3)
        records[1].headers.append(HeaderField(name: "x-uipath-signature", value: "recorded-signature=="))
        let target = try await TestTarget.start()
        let configuration = ReplayConfiguration(
            recording: try makeRecording(records, in: directory), target: try DeliveryTarget(url: target.url),
            pacer: OriginalTimingPacer(speed: 1, maximumGap: nil))
        _ = try await run(configuration)
        try await target.stop()
        let signatures = Dictionary(uniqueKeysWithValues: target.received.map {
            (EventEnvelope(scanning: $0.body)!.eventId!, $0.headers.first(name: "X-UiPath-Signature"))
        })
        #expect(signatures == [records[0].eventId!: nil, records[1].eventId!: "recorded-signature==", records[2].eventId!: nil])
    }

    /// The receiver stalls 500 ms once during a constant-rate run over one
    /// connection. Requests scheduled during the stall wait in the client: the
    /// latency (from the schedule) shows the stall, the service time (from the
    /// actual send) does not, and the schedule lag explains the difference.
    @Test func latencyCountsFromTheScheduleSoAStallIsNotHidden() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let target = try await TestTarget.start { index in index == 300 ? .milliseconds(500) : nil }
        var configuration = ReplayConfiguration(
            recording: try makeRecording(events(2000), in: directory), target: try DeliveryTarget(url: target.url),
            pacer: RatePacer(curve: ArrivalCurve(startRate: 1000), process: .uniform, seed: 1))
        configuration.connections = 1
        configuration.eventLoopThreads = 1
        let result = try await run(configuration)
        try await target.stop()

        let statistics = result.statistics
        #expect(statistics.requests == 2000)
        #expect(statistics.latency.percentile(99.9) >= .milliseconds(400), "latency p99.9 shows the stall")
        #expect(statistics.latency.max >= .milliseconds(500))
        #expect(statistics.serviceTime.percentile(99.9) < .milliseconds(250), "one slow response among 2000 stays above p99.9")
        #expect(statistics.serviceTime.max >= .milliseconds(500))
        #expect(statistics.scheduleLag.percentile(99) >= .milliseconds(100), "the queued requests went out late")
    }

    @Test func transportErrorsAreClassified() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let recording = try makeRecording(events(20), in: directory)
        // Nothing listens on a port just released.
        let closed = try await TestTarget.start()
        let closedURL = closed.url
        try await closed.stop()
        var refused = ReplayConfiguration(recording: recording, target: try DeliveryTarget(url: closedURL),
                                          pacer: RatePacer(curve: ArrivalCurve(startRate: 1000), process: .uniform, seed: 1))
        refused.connections = 4
        let refusedResult = try await run(refused)
        #expect(refusedResult.statistics.errorCounts == [.refused: 20])
        #expect(refusedResult.errorRatio == 1)

        let slow = try await TestTarget.start { _ in .seconds(2) }
        var timingOut = ReplayConfiguration(recording: recording, target: try DeliveryTarget(url: slow.url),
                                            pacer: RatePacer(curve: ArrivalCurve(startRate: 1000), process: .uniform, seed: 1))
        timingOut.timeout = .milliseconds(200)
        timingOut.connections = 20
        let timeoutResult = try await run(timingOut)
        try await slow.stop()
        #expect(timeoutResult.statistics.errorCounts == [.timeout: 20])
        #expect(timeoutResult.statistics.serviceTime.min >= .milliseconds(200))
        #expect(timeoutResult.statistics.serviceTime.max < .milliseconds(1500))
    }

    @Test func entityOrderKeepsEachJobsEventsInRecordedOrder() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var factory = RecordFactory(seed: 3)
        let types: [EventType] = [.jobCreated, .jobStarted, .jobCompleted]
        var records: [RecordedRequest] = []
        for step in types {
            for job in 0..<10 {
                let body = #"{"Type":"\#(step.rawValue)","EventId":"\#(step.rawValue)-\#(job)","Timestamp":"2026-11-29T10:00:00Z","Job":{"Id":\#(job),"Key":"key-\#(job)","State":"Running"},"TenantId":1}"#
                records.append(factory.record(body: Array(body.utf8), type: step.rawValue, eventId: "\(job)", gapMicroseconds: 10))
            }
        }
        // The first event of every job is slow: its later events must wait for it.
        let target = try await TestTarget.start { index in index < 10 ? .milliseconds(100) : nil }
        var configuration = ReplayConfiguration(
            recording: try makeRecording(records, in: directory), target: try DeliveryTarget(url: target.url),
            pacer: ClosedLoopPacer(concurrency: 16))
        configuration.connections = 16
        configuration.ordersByEntity = true
        let result = try await run(configuration)
        try await target.stop()
        #expect(result.statistics.requests == 30)
        var seen: [String: [String]] = [:]
        for request in target.received {
            let body = String(decoding: request.body, as: UTF8.self)
            let job = try #require(body.firstMatch(of: /"Key":"(key-\d+)"/)).output.1
            let type = try #require(body.firstMatch(of: /"Type":"([a-z.]+)"/)).output.1
            seen[String(job), default: []].append(String(type))
        }
        #expect(seen.count == 10)
        for (job, order) in seen {
            #expect(order == ["job.created", "job.started", "job.completed"], "\(job)")
        }
    }

    /// Closed loop: each of N workers sends its next request when its last one
    /// completes, so with answers held 20 ms, 40 requests over 4 workers take
    /// at least 10 rounds of 20 ms, and never more than 4 are in flight.
    @Test func closedLoopKeepsItsConcurrencyAndSendsEverything() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let target = try await TestTarget.start { _ in .milliseconds(20) }
        var configuration = ReplayConfiguration(
            recording: try makeRecording(events(40), in: directory), target: try DeliveryTarget(url: target.url),
            pacer: ClosedLoopPacer(concurrency: 4))
        configuration.connections = 16
        let result = try await run(configuration)
        try await target.stop()
        #expect(target.received.count == 40)
        #expect(result.statistics.requests == 40)
        let sent = try #require(result.statistics.sentSpan)
        let completed = try #require(result.statistics.completedSpan)
        #expect(completed.last - sent.first >= .milliseconds(200), "at most 4 in flight")
        #expect(completed.last - sent.first < .milliseconds(600), "4 in flight, not fewer")
        #expect(result.statistics.scheduleLag.percentile(50) < .milliseconds(5), "a closed loop has no schedule to lag (beyond opening connections)")
        #expect(result.metadata.targetRate == nil)
    }

    /// The pacer's concurrency is the one used and reported, whatever
    /// `maximumInFlight` (left at its default here) says.
    @Test func aClosedLoopPacersConcurrencyBoundsTheRunAndIsReported() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let target = try await TestTarget.start { _ in .milliseconds(20) }
        let configuration = ReplayConfiguration(
            recording: try makeRecording(events(30), in: directory), target: try DeliveryTarget(url: target.url),
            pacer: ClosedLoopPacer(concurrency: 3))
        let result = try await run(configuration)
        try await target.stop()
        #expect(target.received.count == 30)
        #expect(target.mostOutstanding == 3)
        #expect(result.metadata.pacing == "max rate, closed loop with 3 concurrent")
    }

    @Test func closedLoopStopsAtTheDurationOrWhenAsked() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let target = try await TestTarget.start { _ in .milliseconds(10) }
        let recording = try makeRecording(events(2000), in: directory)
        var timed = ReplayConfiguration(recording: recording, target: try DeliveryTarget(url: target.url),
                                        pacer: ClosedLoopPacer(concurrency: 2))
        timed.duration = .milliseconds(200)
        let timedResult = try await run(timed)
        // Two workers, 10 ms per answer, 200 ms: about 40 requests.
        #expect((10...44).contains(timedResult.statistics.requests), "\(timedResult.statistics.requests) requests")

        var unbounded = timed
        unbounded.duration = nil
        let engine = ReplayEngine(configuration: unbounded) { _ in }
        async let stopped = engine.run()
        try await Task.sleep(for: .milliseconds(150))
        engine.stop()
        let stoppedResult = try await stopped
        try await target.stop()
        #expect(stoppedResult.statistics.requests > 0)
        #expect(stoppedResult.statistics.requests < 100)
    }

    @Test func loopingWithFreshIdsGivesEveryDeliveryItsOwnEventId() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let target = try await TestTarget.start()
        var configuration = ReplayConfiguration(
            recording: try makeRecording(events(10), in: directory), target: try DeliveryTarget(url: target.url),
            pacer: RatePacer(curve: ArrivalCurve(startRate: 5000), process: .uniform, seed: 1))
        configuration.passes = 3
        configuration.rewrites.freshEventIds = true
        let result = try await run(configuration)
        try await target.stop()
        #expect(result.statistics.requests == 30)
        let ids = target.received.compactMap { EventEnvelope(scanning: $0.body)?.eventId }
        #expect(ids.count == 30)
        #expect(Set(ids).count == 30)
    }

    @Test func durationAndLimitBoundTheRun() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let target = try await TestTarget.start()
        let recording = try makeRecording(events(500), in: directory)
        var limited = ReplayConfiguration(recording: recording, target: try DeliveryTarget(url: target.url),
                                          pacer: RatePacer(curve: ArrivalCurve(startRate: 5000), process: .uniform, seed: 1))
        limited.selection.limit = 25
        #expect(try await run(limited).statistics.requests == 25)

        var timed = ReplayConfiguration(recording: recording, target: try DeliveryTarget(url: target.url),
                                        pacer: RatePacer(curve: ArrivalCurve(startRate: 100), process: .uniform, seed: 1))
        timed.duration = .milliseconds(300)
        // Sends at 0, 10, ..., 290 ms.
        #expect(try await run(timed).statistics.requests == 30)
        try await target.stop()
    }

    /// A segment made outside hookreel (as `zstd` would make one) with a bad
    /// second line: skipped and reported by default, fatal with strict.
    @Test(.enabled(if: (try? runTool(["zstd", "--version"])) == 0))
    func aMalformedRecordIsSkippedOrWithStrictEndsTheRun() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("recording")
        try Recording.createDirectory(path)
        var lines = events(3).map { String(decoding: $0.line, as: UTF8.self) }
        lines.insert("{not json\n", at: 1)
        try lines.joined().write(toFile: directory.file("plain.ndjson"), atomically: true, encoding: .utf8)
        #expect(try runTool(["zstd", "-q", directory.file("plain.ndjson"), "-o", "\(path)/test-a-0000000000000001.ndjson.zst"]) == 0)

        let target = try await TestTarget.start()
        var configuration = ReplayConfiguration(
            recording: try Recording(path: path), target: try DeliveryTarget(url: target.url),
            pacer: RatePacer(curve: ArrivalCurve(startRate: 5000), process: .uniform, seed: 1))
        let issues = Mutex<[ReadIssue]>([])
        let lenient = try await ReplayEngine(configuration: configuration) { issue in issues.withLock { $0.append(issue) } }.run()
        #expect(lenient.statistics.requests == 3)
        #expect(lenient.metadata.skippedRecords == 1)
        #expect(issues.withLock { $0.map(\.line) } == [2])

        configuration.isStrict = true
        await #expect(throws: ReplayError.self) {
            _ = try await ReplayEngine(configuration: configuration) { _ in }.run()
        }
        try await target.stop()
        #expect(target.received.count == 3 + 1, "strict stops at the bad line: only the first record goes out")
    }
}
