import Delivery
import EventModel
import Foundation
import NIOCore
import Reporting
import Synchronization

/// Closed loop (`--rate max --concurrency N`), as wrk runs its connections: N
/// workers spread over the event loops, each sending its next request the
/// moment its last one completes, on its own loop. The driver thread only
/// keeps a feed of ready requests topped up, so no request crosses threads on
/// its way out. (With the open-loop driver every completion had to wake the
/// driver and every send had to wake a loop; measured, that held max rate to
/// about 0.6x wrk: docs/benchmarks.md.)
///
/// A request's intended time is when its worker takes it: a closed loop has no
/// schedule to fall behind, so latency is service time plus the hand-off.
final class ClosedLoopDriver: @unchecked Sendable {
    private let source: RequestPreparer
    private let feed: RequestFeed
    private let client: any RequestSender
    private let origin: NIODeadline
    private let statistics: [StatisticsBox]
    private let counters: ProgressCounters
    private let concurrency: Int
    private let stopTime: Duration?

    init(source: RequestPreparer, feed: RequestFeed, client: any RequestSender, origin: NIODeadline,
         statistics: [StatisticsBox], counters: ProgressCounters, concurrency: Int, stopTime: Duration?) {
        self.source = source
        self.feed = feed
        self.client = client
        self.origin = origin
        self.statistics = statistics
        self.counters = counters
        self.concurrency = concurrency
        self.stopTime = stopTime
    }

    func runOnOwnThread() async {
        await runOnDedicatedThread(named: "hookreel-replay-feed") { [self] in drive() }
    }

    private func drive() {
        feed.activate(workers: concurrency)
        var nextLoop = 0
        for _ in 0..<concurrency {
            let index = nextLoop
            nextLoop = (nextLoop + 1) % client.loops.count
            client.loops[index].execute { [self] in work(onLoop: index) }
        }
        var batch: [DeliveryRequest] = []
        while true {
            let room = feed.waitForRoom()
            if room == 0 { break }
            batch.removeAll(keepingCapacity: true)
            while batch.count < room, let event = source.next() {
                batch.append(event.payload)
            }
            let isExhausted = batch.count < room
            resume(feed.add(batch, closing: isExhausted))
            if isExhausted { break }
        }
        while let parked = feed.waitForParkedOrFinished() {
            resume(parked)
        }
    }

    /// Schedules a step of each parked worker on its loop.
    private func resume(_ parkedLoops: [Int]) {
        for index in parkedLoops {
            client.loops[index].execute { [self] in work(onLoop: index) }
        }
    }

    /// One worker's step, on loop `index`: take a request and send it, or park
    /// until the feed has more, or end.
    private func work(onLoop index: Int) {
        let now = NIODeadline.now()
        let intended = Duration.nanoseconds((now - origin).nanoseconds)
        if let stopTime, intended >= stopTime {
            feed.stop()
        }
        switch feed.take(parkingOnLoop: index) {
        case .request(let request):
            counters.released(1)
            counters.sending()
            client.send(request, onLoop: index) { [self] outcome in
                statistics[index].record(RequestSample(
                    intended: intended, sent: offset(of: outcome.sentAt), completed: offset(of: outcome.completedAt),
                    outcome: RequestOutcome(outcome.result), bytesSent: outcome.bytesSent,
                    bytesReceived: outcome.bytesReceived))
                counters.complete(outcome.result)
                work(onLoop: index)
            }
        case .parked, .finished:
            return
        }
    }

    private func offset(of instant: NIODeadline) -> Duration {
        .nanoseconds((instant - origin).nanoseconds)
    }
}

/// Ready requests between the feeding thread and the closed-loop workers, with
/// the bookkeeping of parked and finished workers.
final class RequestFeed: @unchecked Sendable {
    enum Take {
        case request(DeliveryRequest)
        /// Nothing ready: the worker is parked and will be scheduled again on its loop.
        case parked
        /// The feed is closed and empty: the worker ends.
        case finished
    }

    private let capacity: Int
    private let lowWater: Int
    private let lock = MonotonicConditionLock()
    // Guarded by `lock`.
    private var queue = CircularBuffer<DeliveryRequest>()
    private var parkedLoops: [Int] = []
    private var isClosed = false
    private var activeWorkers = 0
    private var isFeederWaiting = false

    init(capacity: Int) {
        self.capacity = max(capacity, 2)
        lowWater = self.capacity / 2
    }

    func activate(workers: Int) {
        locked { activeWorkers = workers }
    }

    /// Called by a worker on its loop.
    func take(parkingOnLoop loop: Int) -> Take {
        locked {
            if let request = queue.popFirst() {
                if queue.count <= lowWater, isFeederWaiting { lock.signal() }
                return .request(request)
            }
            if isClosed {
                activeWorkers -= 1
                if activeWorkers == 0 { lock.signal() }
                return .finished
            }
            parkedLoops.append(loop)
            if isFeederWaiting { lock.signal() }
            return .parked
        }
    }

    /// Waits until the feed has fallen to its low-water mark (or a worker is
    /// parked); returns how many requests to add, 0 once closed.
    func waitForRoom() -> Int {
        locked {
            while !isClosed, queue.count > lowWater, parkedLoops.isEmpty {
                isFeederWaiting = true
                lock.wait()
                isFeederWaiting = false
            }
            return isClosed ? 0 : capacity - queue.count
        }
    }

    /// Adds `requests`, closing the feed after them when `closing`; returns the
    /// loops of parked workers, to be scheduled again.
    func add(_ requests: [DeliveryRequest], closing: Bool) -> [Int] {
        locked {
            queue.append(contentsOf: requests)
            if closing { isClosed = true }
            let woken = parkedLoops
            parkedLoops.removeAll()
            return woken
        }
    }

    /// Closes the feed now (`--duration` reached, or a stop request): workers
    /// finish instead of taking more.
    func stop() {
        locked {
            isClosed = true
            queue.removeAll()
            lock.signal()
        }
    }

    /// Once closed: waits until workers are parked (returning their loops, so
    /// they can be scheduled to finish) or all have finished (nil).
    func waitForParkedOrFinished() -> [Int]? {
        locked {
            while activeWorkers > 0, parkedLoops.isEmpty {
                isFeederWaiting = true
                lock.wait()
                isFeederWaiting = false
            }
            guard activeWorkers > 0 else { return nil }
            let parked = parkedLoops
            parkedLoops.removeAll()
            return parked
        }
    }

    private func locked<T>(_ body: () -> T) -> T {
        lock.withLock(body)
    }
}
