import Delivery
import EventModel
import Foundation
import NIOCore
import NIOEmbedded
import Primitives
import NIOPosix
import Reporting
import Testing
@testable import Replay

/// The drivers against a fake `RequestSender`, without sockets: every request
/// handed over once, never before its time, never beyond the in-flight bound,
/// one entity's requests never in flight together, and completions counted.
@Suite struct DriverHandOverTests {
    /// A sender whose answers the test may hold back: it records each send and
    /// answers 202 at once, or when `release()` is called while `holds` is set.
    /// (`@unchecked Sendable`: its record is guarded by `lock`.)
    final class FakeSender: RequestSender, @unchecked Sendable {
        struct Sent {
            let body: String
            let loop: Int
            let at: NIODeadline
        }

        let loops: [any EventLoop]
        let holds: Bool
        /// When a send happens: the loop's manual time in manual-clock tests.
        let now: @Sendable () -> NIODeadline
        private let lock = NSLock()
        private var sentRequests: [Sent] = []
        private var held: [(loop: any EventLoop, answer: () -> Void)] = []
        private var inFlight = 0
        private var mostInFlightSoFar = 0
        private var entitiesInFlight: Set<String> = []
        private var overlaps = 0

        init(loops: [any EventLoop], holds: Bool = false, now: @escaping @Sendable () -> NIODeadline = { .now() }) {
            self.loops = loops
            self.holds = holds
            self.now = now
        }

        func send(_ request: DeliveryRequest, onLoop loopIndex: Int, completion: @escaping (DeliveryOutcome) -> Void) {
            loops[loopIndex].preconditionInEventLoop()
            let wire = String(buffer: request.bytes)
            let body = String(wire[wire.range(of: "\r\n\r\n")!.upperBound...])
            let entity = body.firstRange(of: #/"Key":"([^"]+)"/#).map { String(body[$0]) }
            let sentAt = now()
            lock.withLock {
                sentRequests.append(Sent(body: body, loop: loopIndex, at: sentAt))
                inFlight += 1
                mostInFlightSoFar = max(mostInFlightSoFar, inFlight)
                if let entity, !entitiesInFlight.insert(entity).inserted { overlaps += 1 }
            }
            let answer = { [self] in
                lock.withLock {
                    inFlight -= 1
                    if let entity { entitiesInFlight.remove(entity) }
                }
                completion(DeliveryOutcome(result: .success(202), sentAt: sentAt, completedAt: now(), bytesSent: request.wireSize,
                                           bytesReceived: 0))
            }
            if holds {
                lock.withLock { held.append((loops[loopIndex], answer)) }
            } else {
                answer()
            }
        }

        /// Answers every request held so far, each on its loop.
        func release() {
            let answers = lock.withLock {
                defer { held.removeAll() }
                return held
            }
            for (loop, answer) in answers {
                nonisolated(unsafe) let answer = answer
                loop.execute { answer() }
            }
        }

        var sent: [Sent] { lock.withLock { sentRequests } }
        var mostInFlight: Int { lock.withLock { mostInFlightSoFar } }
        var entityOverlaps: Int { lock.withLock { overlaps } }
        var heldCount: Int { lock.withLock { held.count } }
    }

    /// `jobs` jobs of three events each, one event every millisecond.
    private func preparer(jobs: Int, pacer: any Pacer) throws -> RequestPreparer {
        var events: [SourceEvent] = []
        for step in ["job.created", "job.started", "job.completed"] {
            for job in 0..<jobs {
                let body = #"{"Type":"\#(step)","EventId":"\#(step)-\#(job)","Job":{"Key":"job-\#(job)"}}"#
                events.append(SourceEvent(time: Timestamp(microsecondsSinceEpoch: Int64(events.count) * 1000), type: step,
                                          body: Array(body.utf8)))
            }
        }
        return try RequestPreparer(source: ListedEvents(events), target: try DeliveryTarget(url: "http://127.0.0.1:9/h"),
                                   pacer: pacer, rewrites: ReplayRewrites(), ordersByEntity: true, seed: 1)
    }

    private func openLoopDriver(_ sender: FakeSender, events: RequestPreparer, maximumInFlight: Int, ordersByEntity: Bool,
                                origin: NIODeadline, inbox: DriverInbox = DriverInbox(),
                                statistics: [StatisticsBox]) -> ReplayDriver {
        ReplayDriver(scheduler: ReplayScheduler(events: events, maximumOutstanding: maximumInFlight, ordersByEntity: ordersByEntity,
                                                stopTime: nil, releaseAhead: .milliseconds(2)),
                     client: sender, origin: origin, statistics: statistics, inbox: inbox, counters: ProgressCounters(),
                     ordersByEntity: ordersByEntity)
    }

    @Test func theOpenLoopDriverHandsEveryRequestOverOnceAndNeverEarly() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let sender = FakeSender(loops: Array(group.makeIterator()))
        let statistics = sender.loops.map { _ in StatisticsBox() }
        let origin = NIODeadline.now()
        // 90 events at 2000/s: every 0.5 ms.
        let pacer = RatePacer(curve: ArrivalCurve(startRate: 2000), process: .uniform, seed: 1)
        await openLoopDriver(sender, events: try preparer(jobs: 30, pacer: pacer), maximumInFlight: 100, ordersByEntity: false,
                             origin: origin, statistics: statistics).runOnOwnThread()
        let sent = sender.sent
        #expect(sent.count == 90)
        #expect(Set(sent.map(\.body)).count == 90, "each request once")
        // Handed over round robin: both loops send.
        #expect(Set(sent.map(\.loop)) == [0, 1])
        // The n-th request is due at n * 0.5 ms; none leaves before that.
        let sortedTimes = sent.map { ($0.at - origin).nanoseconds }.sorted()
        for (index, time) in sortedTimes.enumerated() {
            #expect(time >= Int64(index) * 500_000, "request \(index) left at \(time) ns")
        }
        var requests = 0
        for (loop, box) in zip(sender.loops, statistics) { requests += try await loop.submit { box.statistics.requests }.get() }
        #expect(requests == 90, "every completion is counted on its loop")
        try await group.shutdownGracefully()
    }

    /// Manual time: the driver runs on the testing loop's clock, which moves
    /// only when the test moves it, so every send time is exact.
    private struct ManualDriverClock: DriverClock {
        let loop: NIOAsyncTestingEventLoop
        func now() -> NIODeadline { loop.now }
        func sleep(in inbox: DriverInbox, until deadline: NIODeadline?) {
            // The time moves only when the test advances it: look again shortly.
            inbox.wait(until: .now() + .milliseconds(1))
        }
    }

    @Test func onAManualClockEveryRequestLeavesExactlyAtItsTime() async throws {
        let loop = NIOAsyncTestingEventLoop()
        let sender = FakeSender(loops: [loop], now: { loop.now })
        let statistics = [StatisticsBox()]
        let origin = loop.now
        // 12 events at 1000/s: due at 0, 1, ..., 11 ms of manual time.
        let pacer = RatePacer(curve: ArrivalCurve(startRate: 1000), process: .uniform, seed: 1)
        let driver = ReplayDriver(
            scheduler: ReplayScheduler(events: try preparer(jobs: 4, pacer: pacer), maximumOutstanding: 100, ordersByEntity: false,
                                       stopTime: nil, releaseAhead: .milliseconds(2)),
            client: sender, origin: origin, statistics: statistics, inbox: DriverInbox(), counters: ProgressCounters(),
            ordersByEntity: false, clock: ManualDriverClock(loop: loop))
        let run = Task { await driver.runOnOwnThread() }
        // A quarter of a millisecond at a time, with real time between steps for
        // the driver thread to hand over what is due within its 2 ms lead.
        for _ in 0..<60 {
            try await Task.sleep(for: .milliseconds(15))
            await loop.advanceTime(by: .microseconds(250))
        }
        await run.value
        // The pacer's own schedule (whole milliseconds, to its floating-point rounding).
        var schedule = pacer
        let due = (0..<12).map { _ -> Int64 in
            guard case .at(let time)? = schedule.nextSendTime(recordedAt: Timestamp(microsecondsSinceEpoch: 0)) else { return -1 }
            return Int64(time.wholeMicroseconds) * 1000
        }
        let offsets = sender.sent.map { ($0.at - origin).nanoseconds / 1000 * 1000 }
        #expect(offsets == due, "sent at \(offsets) ns")
        await loop.shutdownGracefully()
    }

    @Test func theOpenLoopDriverWaitsForCompletionsAtItsBoundAndKeepsEntitiesApart() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let sender = FakeSender(loops: Array(group.makeIterator()), holds: true)
        let statistics = sender.loops.map { _ in StatisticsBox() }
        let inbox = DriverInbox()
        // Everything is due at once: only the bound and the entities hold requests back.
        let pacer = ClosedLoopPacer(concurrency: 1)
        let driver = openLoopDriver(sender, events: try preparer(jobs: 8, pacer: pacer), maximumInFlight: 5, ordersByEntity: true,
                                    origin: .now(), inbox: inbox, statistics: statistics)
        let run = Task { await driver.runOnOwnThread() }
        // Answer whatever is held, a batch at a time, until all 24 went out.
        var rounds = 0
        while sender.sent.count < 24, rounds < 200 {
            try await Task.sleep(for: .milliseconds(10))
            #expect(sender.heldCount <= 5, "in flight beyond the bound")
            sender.release()
            rounds += 1
        }
        sender.release()
        await run.value
        #expect(sender.sent.count == 24)
        #expect(sender.mostInFlight <= 5)
        #expect(sender.entityOverlaps == 0, "a job's events never in flight together")
        // Each job's events went out in lifecycle order.
        for job in 0..<8 {
            let steps = sender.sent.map(\.body).filter { $0.contains("\"job-\(job)\"") }.map { $0.contains("created") ? 0 : $0.contains("started") ? 1 : 2 }
            #expect(steps == [0, 1, 2], "job-\(job): \(steps)")
        }
        try await group.shutdownGracefully()
    }

    @Test func theClosedLoopDriverKeepsItsWorkersBusyAndNoMore() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let sender = FakeSender(loops: Array(group.makeIterator()))
        let statistics = sender.loops.map { _ in StatisticsBox() }
        let driver = ClosedLoopDriver(
            source: try preparer(jobs: 100, pacer: ClosedLoopPacer(concurrency: 3)), feed: RequestFeed(capacity: 16), client: sender,
            origin: .now(), statistics: statistics, counters: ProgressCounters(), concurrency: 3, stopTime: nil)
        await driver.runOnOwnThread()
        #expect(sender.sent.count == 300)
        #expect(Set(sender.sent.map(\.body)).count == 300)
        #expect(sender.mostInFlight <= 3)
        try await group.shutdownGracefully()
    }
}

/// The progress line's latency of the last second: a window a loop closes
/// once a second, separate from the run's whole histogram.
@Suite struct LastSecondLatencyTests {
    @Test func theLastSecondHoldsOnlyItsOwnRequests() {
        let box = StatisticsBox()
        func sample(latencyMilliseconds: Int64) -> RequestSample {
            RequestSample(intended: .zero, sent: .zero, completed: .milliseconds(latencyMilliseconds), outcome: .status(202),
                          bytesSent: 0, bytesReceived: 0)
        }
        let perSecond = Int(Duration.seconds(1) / ReplayEngine.progressInterval)
        for _ in 0..<10 { box.record(sample(latencyMilliseconds: 500)) }
        for _ in 0..<(perSecond - 1) { box.publishSnapshot() }
        #expect(box.published.lastSecond.count == 0, "the second has not ended yet")
        #expect(box.published.latency.count == 10)
        box.publishSnapshot()
        #expect(box.published.lastSecond.count == 10)
        #expect(box.published.lastSecond.percentile(99) >= .milliseconds(499))
        // A quiet second after a slow one: the window empties, the run's histogram keeps all.
        box.record(sample(latencyMilliseconds: 2))
        for _ in 0..<perSecond { box.publishSnapshot() }
        #expect(box.published.lastSecond.count == 1)
        #expect(box.published.lastSecond.percentile(99) < .milliseconds(3))
        #expect(box.published.latency.count == 11)
    }
}
