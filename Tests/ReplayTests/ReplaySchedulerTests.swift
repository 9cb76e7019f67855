import EventModel
import Primitives
import Testing
@testable import Replay

/// The scheduler is a state machine: these tests drive it with explicit times
/// and completions, never a clock.
@Suite struct ReplaySchedulerTests {
    typealias Scheduler = ReplayScheduler<IndexingIterator<[PacedEvent<String>]>, String>

    private func event(_ name: String, atMs ms: Int64?, entity: String? = nil) -> PacedEvent<String> {
        PacedEvent(payload: name, sendTime: ms.map { .at(.milliseconds($0)) } ?? .immediately,
                   entity: entity.map { EntityKey(kind: .job, key: $0) })
    }

    private func scheduler(_ events: [PacedEvent<String>], maximumOutstanding: Int = 100, byEntity: Bool = false,
                           stopMs: Int64? = nil, releaseAheadMs: Int64 = 0) -> Scheduler {
        Scheduler(events: events.makeIterator(), maximumOutstanding: maximumOutstanding, ordersByEntity: byEntity,
                  stopTime: stopMs.map { .milliseconds($0) }, releaseAhead: .milliseconds(releaseAheadMs))
    }

    /// A compact spelling of an action, for tables.
    private func step(_ scheduler: inout Scheduler, atMs now: Int64) -> String {
        switch scheduler.nextAction(now: .milliseconds(now)) {
        case .send(let name, let intended, _): "send \(name)@\(intended.components.seconds * 1000 + intended.components.attoseconds / 1_000_000_000_000_000)"
        case .wait(let until): "wait \(until.components.seconds * 1000 + until.components.attoseconds / 1_000_000_000_000_000)"
        case .waitForCompletion: "blocked"
        case .finished: "finished"
        }
    }

    @Test func sendsNothingBeforeItsTime() {
        var s = scheduler([event("a", atMs: 10), event("b", atMs: 20)])
        #expect(step(&s, atMs: 0) == "wait 10")
        #expect(step(&s, atMs: 9) == "wait 10")
        #expect(step(&s, atMs: 10) == "send a@10")
        #expect(step(&s, atMs: 10) == "wait 20")
        // Late: the send keeps its scheduled time (latency counts from it).
        #expect(step(&s, atMs: 35) == "send b@20")
        #expect(step(&s, atMs: 35) == "blocked")
        s.completed(entity: nil)
        #expect(step(&s, atMs: 36) == "blocked")
        s.completed(entity: nil)
        #expect(step(&s, atMs: 37) == "finished")
    }

    /// With a lead, events go out early to be timed on their loop, keeping
    /// their send time; the scheduler wakes once per half lead, not per event.
    @Test func aLeadHandsOutEventsEarlyInBatchesKeepingTheirTimes() {
        let events = (0..<10).map { event("e\($0)", atMs: 10 + Int64($0)) }
        var s = scheduler(events, releaseAheadMs: 4)
        #expect(step(&s, atMs: 0) == "wait 8", "half the lead before the first send time")
        #expect(step(&s, atMs: 8) == "send e0@10")
        #expect(step(&s, atMs: 8) == "send e1@11")
        #expect(step(&s, atMs: 8) == "send e2@12")
        #expect(step(&s, atMs: 8) == "wait 11", "e3 is due at 13, more than the lead away")
        #expect(step(&s, atMs: 11) == "send e3@13")
        #expect(step(&s, atMs: 11) == "send e4@14")
        #expect(step(&s, atMs: 11) == "send e5@15")
        #expect(step(&s, atMs: 11) == "wait 14")
    }

    @Test func theInFlightBoundHoldsLaterSendsWhichKeepTheirScheduledTime() {
        var s = scheduler([event("a", atMs: 0), event("b", atMs: 1), event("c", atMs: 2)], maximumOutstanding: 2)
        #expect(step(&s, atMs: 5) == "send a@0")
        #expect(step(&s, atMs: 5) == "send b@1")
        #expect(step(&s, atMs: 5) == "blocked")
        #expect(s.outstanding == 2)
        s.completed(entity: nil)
        #expect(step(&s, atMs: 900) == "send c@2")
    }

    @Test func eventsOfOneEntityAreNeverInFlightTogetherAndKeepTheirOrder() {
        var s = scheduler([
            event("j1-created", atMs: 0, entity: "j1"),
            event("j2-created", atMs: 0, entity: "j2"),
            event("j1-started", atMs: 1, entity: "j1"),
            event("j1-completed", atMs: 2, entity: "j1"),
            event("ping", atMs: 3),
        ], byEntity: true)
        #expect(step(&s, atMs: 10) == "send j1-created@0")
        #expect(step(&s, atMs: 10) == "send j2-created@0")
        // j1-started and j1-completed are held behind j1-created; ping is not.
        #expect(step(&s, atMs: 10) == "send ping@3")
        #expect(step(&s, atMs: 10) == "blocked")
        #expect(s.outstanding == 5)
        s.completed(entity: EntityKey(kind: .job, key: "j2"))
        #expect(step(&s, atMs: 11) == "blocked")
        s.completed(entity: EntityKey(kind: .job, key: "j1"))
        #expect(step(&s, atMs: 12) == "send j1-started@1")
        #expect(step(&s, atMs: 12) == "blocked")
        s.completed(entity: EntityKey(kind: .job, key: "j1"))
        #expect(step(&s, atMs: 13) == "send j1-completed@2")
        s.completed(entity: nil)
        s.completed(entity: EntityKey(kind: .job, key: "j1"))
        #expect(step(&s, atMs: 14) == "finished")
    }

    @Test func withoutEntityOrderingTheSameEntityGoesOutConcurrently() {
        var s = scheduler([event("a", atMs: 0, entity: "j1"), event("b", atMs: 0, entity: "j1")])
        #expect(step(&s, atMs: 0) == "send a@0")
        #expect(step(&s, atMs: 0) == "send b@0")
    }

    @Test func closedLoopSendsAsSlotsFreeUpAtTheReleaseTime() {
        var s = scheduler([event("a", atMs: nil), event("b", atMs: nil), event("c", atMs: nil)], maximumOutstanding: 2)
        #expect(step(&s, atMs: 0) == "send a@0")
        #expect(step(&s, atMs: 0) == "send b@0")
        #expect(step(&s, atMs: 0) == "blocked")
        s.completed(entity: nil)
        #expect(step(&s, atMs: 7) == "send c@7")
    }

    @Test func theStopTimeEndsTheSchedule() {
        var s = scheduler([event("a", atMs: 0), event("b", atMs: 999), event("c", atMs: 1000), event("d", atMs: 1001)],
                          stopMs: 1000)
        #expect(step(&s, atMs: 0) == "send a@0")
        #expect(step(&s, atMs: 999) == "send b@999")
        #expect(step(&s, atMs: 1000) == "blocked")
        s.completed(entity: nil)
        s.completed(entity: nil)
        #expect(step(&s, atMs: 1000) == "finished")
    }

    @Test func stopLetsOutstandingEventsComplete() {
        var s = scheduler([event("a", atMs: 0), event("b", atMs: 5)])
        #expect(step(&s, atMs: 0) == "send a@0")
        s.stop()
        #expect(step(&s, atMs: 10) == "blocked")
        s.completed(entity: nil)
        #expect(step(&s, atMs: 10) == "finished")
    }

    @Test func aLongRunKeepsAtMostTheBoundOutstanding() {
        let events = (0..<10_000).map { event("e\($0)", atMs: Int64($0 / 10), entity: "k\($0 % 7)") }
        var s = scheduler(events, maximumOutstanding: 50, byEntity: true)
        var now: Int64 = 0
        var inFlight: [EntityKey?] = []
        var sent = 0
        var lastIndexByEntity: [String: Int] = [:]
        while true {
            switch s.nextAction(now: .milliseconds(now)) {
            case .send(let name, _, let entity):
                #expect(!inFlight.contains(entity), "\(name) sent while its entity was in flight")
                let index = Int(name.dropFirst())!
                #expect(lastIndexByEntity[entity!.key, default: -1] < index)
                lastIndexByEntity[entity!.key] = index
                inFlight.append(entity)
                sent += 1
                #expect(s.outstanding <= 50)
            case .wait(let until):
                now = Int64(until.components.seconds * 1000 + until.components.attoseconds / 1_000_000_000_000_000)
            case .waitForCompletion:
                s.completed(entity: inFlight.removeFirst()!)
                now += 1
            case .finished:
                #expect(sent == 10_000)
                return
            }
        }
    }
}
