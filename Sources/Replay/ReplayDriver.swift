import Delivery
import EventModel
import Foundation
import NIOCore
import Reporting
import Synchronization

/// Walks the schedule on a thread of its own: sleeps until the next send time,
/// hands due requests to the event loops in batches, and feeds completions back
/// to the scheduler. A dedicated thread, not a task, because the schedule's
/// precision is the point: a cooperative task can be parked behind other work.
///
/// Confinement: the scheduler is touched only by the driver thread while it
/// runs, and read by the caller only after `runOnOwnThread()` returned.
final class ReplayDriver: @unchecked Sendable {
    private struct Send {
        let request: DeliveryRequest
        let intended: Duration
        let entity: EntityKey?
    }

    private var scheduler: ReplayScheduler<RequestPreparer, DeliveryRequest>
    private let client: any RequestSender
    private let origin: NIODeadline
    private let statistics: [StatisticsBox]
    private let inbox: DriverInbox
    private let counters: ProgressCounters
    private let ordersByEntity: Bool
    private let clock: any DriverClock
    /// Requests handed to a loop at once, at most: a batch costs one wake-up of
    /// the loop, but a long one delays the first request's send.
    private static let maximumBatch = 64

    init(scheduler: ReplayScheduler<RequestPreparer, DeliveryRequest>, client: any RequestSender, origin: NIODeadline,
         statistics: [StatisticsBox], inbox: DriverInbox, counters: ProgressCounters, ordersByEntity: Bool,
         clock: any DriverClock = MonotonicDriverClock()) {
        self.ordersByEntity = ordersByEntity
        self.clock = clock
        self.scheduler = scheduler
        self.client = client
        self.origin = origin
        self.statistics = statistics
        self.inbox = inbox
        self.counters = counters
    }

    func runOnOwnThread() async {
        await runOnDedicatedThread(named: "hookreel-replay-driver") { [self] in drive() }
    }

    private func drive() {
        let loopCount = client.loops.count
        var batches = [[Send]](repeating: [], count: loopCount)
        var nextLoop = 0
        var batched = 0
        while true {
            let completions = inbox.drain()
            for entity in completions.entities { scheduler.completed(entity: entity) }
            scheduler.completed(anonymous: completions.anonymous)
            if completions.isStopRequested { scheduler.stop() }

            var wakeAt: Duration?
            actions: while true {
                switch scheduler.nextAction(now: offset(of: clock.now())) {
                case .send(let request, let intended, let entity):
                    batches[nextLoop].append(Send(request: request, intended: intended, entity: entity))
                    nextLoop = (nextLoop + 1) % loopCount
                    batched += 1
                    if batched >= Self.maximumBatch * loopCount {
                        flush(&batches)
                        batched = 0
                    }
                case .wait(let until):
                    wakeAt = until
                    break actions
                case .waitForCompletion:
                    break actions
                case .finished:
                    flush(&batches)
                    return
                }
            }
            flush(&batches)
            batched = 0
            clock.sleep(in: inbox, until: wakeAt.map { origin + TimeAmount($0) })
        }
    }

    private func offset(of instant: NIODeadline) -> Duration {
        .nanoseconds((instant - origin).nanoseconds)
    }

    private func flush(_ batches: inout [[Send]]) {
        for index in batches.indices where !batches[index].isEmpty {
            let batch = batches[index]
            batches[index].removeAll(keepingCapacity: true)
            counters.released(batch.count)
            let loop = client.loops[index]
            loop.execute { [self] in
                for send in batch { dispatch(send, onLoop: index) }
            }
        }
    }

    /// Runs on loop `index`: sends at the intended time, on a loop timer when
    /// that is still ahead.
    private func dispatch(_ send: Send, onLoop index: Int) {
        let sendAt = origin + TimeAmount(send.intended)
        if sendAt > clock.now() {
            client.loops[index].scheduleTask(deadline: sendAt) { [self] in deliver(send, onLoop: index) }
        } else {
            deliver(send, onLoop: index)
        }
    }

    private func deliver(_ send: Send, onLoop index: Int) {
        counters.sending()
        client.send(send.request, onLoop: index) { [self] outcome in
            let sample = RequestSample(
                intended: send.intended, sent: offset(of: outcome.sentAt), completed: offset(of: outcome.completedAt),
                outcome: RequestOutcome(outcome.result), bytesSent: outcome.bytesSent, bytesReceived: outcome.bytesReceived)
            statistics[index].record(sample)
            counters.complete(outcome.result)
            inbox.postCompletion(entity: ordersByEntity ? send.entity : nil)
        }
    }
}

/// The driver's time: when it is, and how it sleeps until a send time (or a
/// completion). The monotonic clock in a run; tests drive a manual one.
protocol DriverClock: Sendable {
    func now() -> NIODeadline
    /// Sleeps in `inbox` until `deadline`, or until a completion arrives when
    /// it is nil; an entity completion or a stop request always wakes it.
    func sleep(in inbox: DriverInbox, until deadline: NIODeadline?)
}

/// NIO's monotonic clock, the one event loops' timers run on.
struct MonotonicDriverClock: DriverClock {
    func now() -> NIODeadline { .now() }
    func sleep(in inbox: DriverInbox, until deadline: NIODeadline?) { inbox.wait(until: deadline) }
}

/// Runs `body` on a new thread and waits for it without blocking the caller's
/// thread (the drivers' timing must not depend on the cooperative pool).
func runOnDedicatedThread(named name: String, _ body: @escaping @Sendable () -> Void) async {
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        let thread = Thread {
            body()
            continuation.resume()
        }
        thread.name = name
        thread.start()
    }
}

extension RequestOutcome {
    init(_ result: Result<Int, DeliveryFailure>) {
        switch result {
        case .success(let status): self = .status(status)
        case .failure(.timeout): self = .error(.timeout)
        case .failure(.refused): self = .error(.refused)
        case .failure(.reset): self = .error(.reset)
        case .failure(.protocolViolation): self = .error(.protocol)
        case .failure(.other): self = .error(.other)
        }
    }
}

/// Where event loops leave completions for the driver thread, and where the
/// driver sleeps until the next send time or the next completion.
///
/// A completion only wakes the driver when it waits for one (its in-flight
/// bound is reached, or it has nothing else to do): in an open-loop run the
/// driver sleeps until send times, and waking it per response would cost a
/// context switch each. Anonymous completions are counted without the lock;
/// the waiting flag and the count are sequentially consistent atomics, so a
/// poster either sees the flag (and signals under the mutex) or the driver sees
/// the count before it sleeps.
///
final class DriverInbox: @unchecked Sendable {
    struct Completions {
        var anonymous = 0
        var entities: [EntityKey] = []
        var isStopRequested = false
    }

    private let lock = MonotonicConditionLock()
    /// Guarded by `lock`.
    private var entities: [EntityKey] = []
    /// Guarded by `lock`; cleared when drained, so a stop wakes the driver once.
    private var isStopRequested = false
    private let anonymous = Atomic<Int>(0)
    private let isWaitingForCompletion = Atomic<Bool>(false)

    func postCompletion(entity: EntityKey?) {
        if let entity {
            // A completion of an entity may release a held event: always wake
            // the driver, even from a timed wait.
            lock.withLock {
                entities.append(entity)
                lock.signal()
            }
            return
        }
        anonymous.add(1, ordering: .sequentiallyConsistent)
        if isWaitingForCompletion.load(ordering: .sequentiallyConsistent) {
            lock.withLock { lock.signal() }
        }
    }

    func requestStop() {
        lock.withLock {
            isStopRequested = true
            lock.signal()
        }
    }

    /// Takes what arrived since the last call.
    func drain() -> Completions {
        let count = anonymous.exchange(0, ordering: .sequentiallyConsistent)
        return lock.withLock {
            let taken = Completions(anonymous: count, entities: entities, isStopRequested: isStopRequested)
            entities.removeAll(keepingCapacity: true)
            isStopRequested = false
            return taken
        }
    }

    /// Sleeps until `deadline`, or until a completion arrives when `deadline`
    /// is nil; an entity completion or a stop request always wakes it.
    func wait(until deadline: NIODeadline?) {
        lock.withLock {
            guard !isStopRequested, entities.isEmpty else { return }
            guard let deadline else {
                isWaitingForCompletion.store(true, ordering: .sequentiallyConsistent)
                defer { isWaitingForCompletion.store(false, ordering: .sequentiallyConsistent) }
                guard anonymous.load(ordering: .sequentiallyConsistent) == 0 else { return }
                lock.wait()
                return
            }
            lock.wait(until: deadline)
        }
    }
}

/// A pthread mutex and condition variable on CLOCK_MONOTONIC (NIODeadline's
/// clock; Foundation's conditions wait on wall-clock dates), allocated once so
/// their addresses stay fixed.
final class MonotonicConditionLock: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() {
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// With the lock held: wakes one waiter.
    func signal() { pthread_cond_signal(condition) }

    /// With the lock held: releases it until signalled (or spuriously woken).
    func wait() { pthread_cond_wait(condition, mutex) }

    /// With the lock held: as `wait()`, but no later than `deadline`.
    func wait(until deadline: NIODeadline) {
        let nanoseconds = deadline.uptimeNanoseconds
        var time = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
        _ = pthread_cond_timedwait(condition, mutex, &time)
    }
}
