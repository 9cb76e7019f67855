import Delivery
import EventModel
import Logging
import NIOCore
import NIOHTTP1
import Synchronization
import OrchestratorAPI
import Testing
import TestSupport
@testable import OrchestratorEmulator

/// Webhook delivery against in-process receivers (docs/orchestrator-webhooks.md §1).
struct DispatcherTests {
    @Test func fansOutToEnabledWebhooksByTheirSubscriptions() async throws {
        try await withReceiver { receiver in
            let webhooks = [
                webhook(1, receiver.url("/all"), subscribeToAll: true),
                webhook(2, receiver.url("/jobs"), events: ["job.created", "job.faulted"]),
                webhook(3, receiver.url("/disabled"), enabled: false, subscribeToAll: true),
                webhook(4, receiver.url("/queues"), events: ["queueItem.added"]),
            ]
            try await withDispatcher { dispatcher in
                let jobCreated = event("job.created", id: "1")
                let queueItemAdded = event("queueItem.added", id: "2")
                let robotStatus = event("robot.status", id: "3")
                let untyped = Array(#"{"EventId":"4"}"#.utf8)
                #expect(await dispatcher.dispatch(eventBody: jobCreated, to: webhooks)
                        == DispatchSummary(type: "job.created", delivered: 2, failed: 0, breakerSkipped: 0, unsubscribed: 2))
                #expect(await dispatcher.dispatch(eventBody: queueItemAdded, to: webhooks)
                        == DispatchSummary(type: "queueItem.added", delivered: 2, failed: 0, breakerSkipped: 0, unsubscribed: 2))
                #expect(await dispatcher.dispatch(eventBody: robotStatus, to: webhooks)
                        == DispatchSummary(type: "robot.status", delivered: 1, failed: 0, breakerSkipped: 0, unsubscribed: 3))
                #expect(await dispatcher.dispatch(eventBody: untyped, to: webhooks)
                        == DispatchSummary(type: nil, delivered: 1, failed: 0, breakerSkipped: 0, unsubscribed: 3))

                // Each body arrives exactly as given; the EventId is not rewritten.
                #expect(receiver.received(on: "/all").map(\.body).sorted(by: lexicographically)
                        == [jobCreated, queueItemAdded, robotStatus, untyped].sorted(by: lexicographically))
                #expect(receiver.received(on: "/jobs").map(\.body) == [jobCreated])
                #expect(receiver.received(on: "/queues").map(\.body) == [queueItemAdded])
                #expect(receiver.received(on: "/disabled").isEmpty)
                #expect(dispatcher.deliveries().map(\.webhookId) == [1, 2, 4])
                #expect(dispatcher.deliveries().map(\.delivered) == [4, 1, 1])
            }
        }
    }

    @Test func signsWithEachWebhooksOwnSecretAndSendsOrchestratorsHeaders() async throws {
        try await withReceiver { receiver in
            let secrets: [String: String?] = ["/alpha": "abcdef", "/beta": "s3crét", "/none": nil, "/empty": ""]
            let webhooks = secrets.keys.sorted().enumerated().map { index, path in
                webhook(Int64(index + 1), receiver.url(path), secret: secrets[path]!, subscribeToAll: true)
            }
            try await withDispatcher { dispatcher in
                // The vector from docs/orchestrator-webhooks.md §1.3.
                let body = Array(#"{"Type":"ping","EventId":"3e5af0113e674ae597c579cb35ed8630"}"#.utf8)
                #expect(await dispatcher.dispatch(eventBody: body, to: webhooks).delivered == 4)
            }
            #expect(receiver.received.count == 4)
            for request in receiver.received {
                #expect(request.headers["Content-Type"] == ["application/json; charset=utf-8"])
                #expect(request.headers["User-Agent"] == ["UiPath-WebhookService/Webhooks"])
                #expect(request.headers["Content-Length"] == [String(request.body.count)])
                let signatures = request.headers["x-uipath-signature"]
                switch request.path {
                case "/alpha":
                    #expect(signatures == ["hBc2lib/2gyG9h326Rq/pwhenmydQtDyVxv3xy0wbX8="])
                    #expect(WebhookSignature(secret: "s3crét").verify(request.body, header: signatures.first) == .invalid)
                case "/beta":
                    #expect(WebhookSignature(secret: "s3crét").verify(request.body, header: signatures.first) == .valid)
                    #expect(WebhookSignature(secret: "abcdef").verify(request.body, header: signatures.first) == .invalid)
                default:
                    #expect(signatures.isEmpty, "no secret, no signature header (\(request.path))")
                }
            }
        }
    }

    @Test func onlyA2xxAnswerIsADelivery() async throws {
        let delivered: [UInt] = [200, 201, 202, 204, 299]
        let failed: [UInt] = [302, 400, 404, 500, 503]
        try await withReceiver({ _, path in
            .init(status: HTTPResponseStatus(statusCode: Int(path.dropFirst())!))
        }) { receiver in
            let webhooks = (delivered + failed).map { webhook(Int64($0), receiver.url("/\($0)"), subscribeToAll: true) }
            try await withDispatcher { dispatcher in
                let summary = await dispatcher.dispatch(eventBody: event("job.created", id: "1"), to: webhooks)
                #expect(summary.delivered == delivered.count)
                #expect(summary.failed == failed.count)
                let counts = Dictionary(uniqueKeysWithValues: dispatcher.deliveries().map { ($0.webhookId, $0) })
                for status in delivered { #expect(counts[Int64(status)]?.delivered == 1) }
                for status in failed { #expect(counts[Int64(status)]?.lastFailure == "HTTP \(status)") }
            }
        }
    }

    /// An https receiver with a self-signed certificate is reached only by
    /// the webhook that allows insecure SSL; the other's delivery fails.
    @Test func allowInsecureSslDecidesWhetherASelfSignedReceiverIsReached() async throws {
        try await withReceiver(isSecure: true) { receiver in
            let webhooks = [webhook(1, receiver.url("/insecure"), subscribeToAll: true, allowInsecureSsl: true),
                            webhook(2, receiver.url("/checked"), subscribeToAll: true)]
            try await withDispatcher { dispatcher in
                let summary = await dispatcher.dispatch(eventBody: event("job.created", id: "1"), to: webhooks)
                #expect((summary.delivered, summary.failed) == (1, 1))
                let counts = Dictionary(uniqueKeysWithValues: dispatcher.deliveries().map { ($0.webhookId, $0) })
                #expect(counts[1]?.delivered == 1)
                #expect(counts[2]?.failed == 1)
                #expect(counts[2]?.lastFailure?.contains("CERTIFICATE_VERIFY_FAILED") == true, "\(counts[2]?.lastFailure ?? "")")
            }
            #expect(receiver.received(on: "/insecure").map(\.body) == [event("job.created", id: "1")])
            #expect(receiver.received(on: "/checked").isEmpty)
        }
    }

    /// Trusting the receiver's CA (`hookreel orchestrator --ca-file`) reaches
    /// it with verification on, as a tenant that trusts a private CA does.
    @Test func aTrustedCAReachesTheReceiverWithVerificationOn() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let tls = try DeliveryTLS(trusting: try TestCertificate.writeCertificate(in: directory))
        try await withReceiver(isSecure: true) { receiver in
            try await withDispatcher(tls: tls) { dispatcher in
                let summary = await dispatcher.dispatch(eventBody: event("job.created", id: "1"),
                                                        to: [webhook(1, receiver.url("/checked"), subscribeToAll: true)])
                #expect((summary.delivered, summary.failed) == (1, 0))
            }
            #expect(receiver.received(on: "/checked").map(\.body) == [event("job.created", id: "1")])
        }
    }

    /// The breaker is per webhook: opened by a failed delivery, it drops and
    /// counts the events of the period (never sending them later), and the
    /// first event after the period goes out again.
    @Test func breakerOpensOnFailureSkipsAndCountsThenClosesAfterThePeriod() async throws {
        let clock = ManualClock()
        let period: Duration = .seconds(3600)
        try await withReceiver({ index, path in
            .init(status: path == "/flaky" && index == 0 ? .internalServerError : .accepted)
        }) { receiver in
            let webhooks = [webhook(1, receiver.url("/flaky"), subscribeToAll: true),
                            webhook(2, receiver.url("/healthy"), subscribeToAll: true)]
            try await withDispatcher(breakerPeriod: period, now: clock.now) { dispatcher in
                let failedAt = clock.now()
                #expect(await dispatcher.dispatch(eventBody: event("job.created", id: "1"), to: webhooks)
                        == DispatchSummary(type: "job.created", delivered: 1, failed: 1, breakerSkipped: 0, unsubscribed: 0))
                let opened = try #require(dispatcher.deliveries().first)
                #expect(opened.breakerOpenUntil == Timestamp(microsecondsSinceEpoch: failedAt.microsecondsSinceEpoch + 3_600_000_000))
                #expect(opened.lastFailure == "HTTP 500")

                for id in ["2", "3"] {
                    #expect(await dispatcher.dispatch(eventBody: event("job.created", id: id), to: webhooks)
                            == DispatchSummary(type: "job.created", delivered: 1, failed: 0, breakerSkipped: 1, unsubscribed: 0))
                }
                clock.advance(by: 3_600_000_000 - 1)
                #expect(await dispatcher.dispatch(eventBody: event("job.created", id: "4"), to: webhooks).breakerSkipped == 1)
                clock.advance(by: 1)
                #expect(await dispatcher.dispatch(eventBody: event("job.created", id: "5"), to: webhooks).delivered == 2)

                #expect(receiver.received(on: "/flaky").map { EventEnvelope(scanning: $0.body)?.eventId } == ["1", "5"])
                #expect(receiver.received(on: "/healthy").count == 5)
                let flaky = try #require(dispatcher.deliveries().first)
                #expect((flaky.delivered, flaky.failed, flaky.breakerSkipped) == (1, 1, 3))
                #expect(flaky.breakerOpenUntil == nil)
                #expect(dispatcher.deliveries().last?.delivered == 5)
            }
        }
    }

    /// A refused connection fails at once (no connect retries until the
    /// timeout), and the breaker closes on the real clock.
    @Test func closedPortFailsAtOnceAndTheBreakerClosesAfterAShortPeriod() async throws {
        // Port 1 (tcpmux) has no listener here; a port freed by a stopped
        // server could be taken by another test's server meanwhile.
        let webhooks = [webhook(1, "http://127.0.0.1:1/hook", subscribeToAll: true)]
        // The period is long enough that a loaded machine still reaches the
        // second dispatch inside it.
        try await withDispatcher(timeout: .seconds(10), breakerPeriod: .milliseconds(1500)) { dispatcher in
            let start = ContinuousClock.now
            #expect(await dispatcher.dispatch(eventBody: event("job.created", id: "1"), to: webhooks).failed == 1)
            #expect(ContinuousClock.now - start < .seconds(5))
            #expect(dispatcher.deliveries().first?.lastFailure == "connection refused")
            #expect(await dispatcher.dispatch(eventBody: event("job.created", id: "2"), to: webhooks).breakerSkipped == 1)
            try await Task.sleep(for: .milliseconds(1700))
            #expect(dispatcher.deliveries().first?.breakerOpenUntil == nil)
            #expect(await dispatcher.dispatch(eventBody: event("job.created", id: "3"), to: webhooks).failed == 1)
            let counts = try #require(dispatcher.deliveries().first)
            #expect((counts.delivered, counts.failed, counts.breakerSkipped) == (0, 2, 1))
        }
    }

    @Test func aReceiverSlowerThanTheTimeoutFails() async throws {
        try await withReceiver({ _, _ in .init(delay: .seconds(3)) }) { receiver in
            let webhooks = [webhook(1, receiver.url("/slow"), subscribeToAll: true)]
            try await withDispatcher(timeout: .milliseconds(200)) { dispatcher in
                let start = ContinuousClock.now
                #expect(await dispatcher.dispatch(eventBody: event("job.created", id: "1"), to: webhooks).failed == 1)
                #expect(ContinuousClock.now - start < .seconds(2))
                #expect(dispatcher.deliveries().first?.lastFailure == "timeout")
                #expect(receiver.received.count == 1)
            }
        }
    }

    /// Ping goes to a disabled, unsubscribed webhook, carries exactly the body
    /// it returns (the seed's PingEventDto fields), is signed, and is no event:
    /// not counted, not stopped by an open breaker, and not tripping it.
    @Test func pingDeliversExactlyTheBodyItReturns() async throws {
        let clock = ManualClock()
        try await withReceiver({ _, path in .init(status: path == "/broken" ? .internalServerError : .ok) }) { receiver in
            let disabled = webhook(11, receiver.url("/ping"), secret: "abcdef", enabled: false, events: ["job.created"])
            try await withDispatcher(now: clock.now) { dispatcher in
                let timestamp = try #require(Timestamp(rfc3339: "2018-11-19T14:32:47.602477Z"))
                let body = await dispatcher.ping(disabled, eventId: "c3319a2d83c44b2f989bdd7eba1f0297", timestamp: timestamp,
                                                 tenantId: 57, userId: 583)
                #expect(String(decoding: body, as: UTF8.self) == #"{"Type":"ping","EventId":"c3319a2d83c44b2f989bdd7eba1f0297","#
                        + #""Timestamp":"2018-11-19T14:32:47.602477Z","TenantId":57,"OrganizationUnitId":null,"UserId":583}"#)
                let received = try #require(receiver.received(on: "/ping").first)
                #expect(received.body == body)
                #expect(WebhookSignature(secret: "abcdef").verify(received.body, header: received.headers["X-UiPath-Signature"].first) == .valid)
                #expect(received.headers["User-Agent"] == ["UiPath-WebhookService/Webhooks"])
                #expect(dispatcher.deliveries().isEmpty)

                let broken = webhook(12, receiver.url("/broken"), subscribeToAll: true)
                #expect(await dispatcher.dispatch(eventBody: event("job.created", id: "1"), to: [broken]).failed == 1)
                let before = dispatcher.deliveries()
                clock.advance(by: 1_000_000)
                let defaults = await dispatcher.ping(broken, eventId: "p2", timestamp: Timestamp(microsecondsSinceEpoch: 0))
                #expect(String(decoding: defaults, as: UTF8.self)
                        == #"{"Type":"ping","EventId":"p2","Timestamp":"1970-01-01T00:00:00Z","TenantId":1,"OrganizationUnitId":null,"UserId":null}"#)
                #expect(receiver.received(on: "/broken").map(\.body).last == defaults)
                #expect(dispatcher.deliveries() == before)
            }
        }
    }

    @Test(arguments: [
        ("2018-11-19T14:32:47.602477Z", "2018-11-19T14:32:47.602477Z"),
        ("2018-11-26T14:22:58.44896Z", "2018-11-26T14:22:58.44896Z"),
        ("2018-11-26T14:22:58.500000Z", "2018-11-26T14:22:58.5Z"),
        ("2018-11-26T14:22:58Z", "2018-11-26T14:22:58Z"),
    ])
    func pingTimestampsUseOrchestratorsStyle(input: String, expected: String) throws {
        #expect(PingEvent.orchestratorTime(try #require(Timestamp(rfc3339: input))) == expected)
    }

    /// Deliveries to several webhooks run at once, but no more connections to
    /// one receiver than the pool allows.
    @Test func concurrentDeliveriesShareABoundedPoolPerHost() async throws {
        try await withReceiver({ _, _ in .init(delay: .milliseconds(150)) }) { receiver in
            let webhooks = (1...6).map { webhook(Int64($0), receiver.url("/\($0)"), subscribeToAll: true) }
            try await withDispatcher(maximumConnectionsPerHost: 2) { dispatcher in
                #expect(await dispatcher.dispatch(eventBody: event("job.created", id: "1"), to: webhooks).delivered == 6)
            }
            #expect(receiver.maximumConcurrent == 2)
        }
    }
}

// MARK: - Helpers

private func webhook(_ id: Int64, _ url: String, secret: String? = nil, enabled: Bool = true,
                     subscribeToAll: Bool = false, events: [String] = [], allowInsecureSsl: Bool = false) -> Webhook {
    Webhook(id: id, key: "key-\(id)", name: "hook \(id)", url: url, enabled: enabled, secret: secret,
            subscribeToAllEvents: subscribeToAll, allowInsecureSsl: allowInsecureSsl, events: events)
}

private func event(_ type: String, id: String) -> [UInt8] {
    Array(#"{"Type":"\#(type)","EventId":"\#(id)","Timestamp":"2026-01-05T10:00:00.1234567Z","TenantId":1,"OrganizationUnitId":7}"#.utf8)
}

private func lexicographically(_ a: [UInt8], _ b: [UInt8]) -> Bool { a.lexicographicallyPrecedes(b) }

/// A breaker clock the test moves by hand.
private final class ManualClock: Sendable {
    private let time = Mutex(Timestamp(microsecondsSinceEpoch: 1_767_600_000_000_000))

    func now() -> Timestamp { time.withLock { $0 } }
    func advance(by microseconds: Int64) { time.withLock { $0.microsecondsSinceEpoch += microseconds } }
}

/// Runs `body` with a started receiver and stops it afterwards, also on failure.
private func withReceiver(
    isSecure: Bool = false,
    _ script: @escaping WebhookReceiver.Script = { _, _ in .init() },
    _ body: (WebhookReceiver) async throws -> Void
) async throws {
    let receiver = try await WebhookReceiver.start(isSecure: isSecure, script)
    do {
        try await body(receiver)
    } catch {
        try? await receiver.stop()
        throw error
    }
    try await receiver.stop()
}

/// Runs `body` with a dispatcher and shuts it down afterwards, also on failure.
private func withDispatcher(
    timeout: Duration = .seconds(5), breakerPeriod: Duration = .seconds(3600), maximumConnectionsPerHost: Int = 8,
    tls: DeliveryTLS? = nil, now: @escaping @Sendable () -> Timestamp = Timestamp.now,
    _ body: (WebhookDispatcher) async throws -> Void
) async throws {
    var logger = Logger(label: "test.dispatcher")
    logger.logLevel = .critical
    let dispatcher = WebhookDispatcher(timeout: timeout, breakerPeriod: breakerPeriod, logger: logger,
                                       maximumConnectionsPerHost: maximumConnectionsPerHost, tls: tls, now: now)
    do {
        try await body(dispatcher)
    } catch {
        await dispatcher.shutdown()
        throw error
    }
    await dispatcher.shutdown()
}
