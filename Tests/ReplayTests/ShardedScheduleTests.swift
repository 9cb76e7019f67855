import Delivery
import EventModel
import NIOCore
import Primitives
import Testing
@testable import Replay

/// `--shard I/N` splits one run's schedule: the shards together send exactly
/// what one unsharded run sends, at the same times, with the same rewrites.
@Suite struct ShardedScheduleTests {
    /// Two passes over 40 jobs of three events each, interleaved, and robot events between them.
    private static let events: [SourceEvent] = {
        var events: [SourceEvent] = []
        var micros: Int64 = 1_764_410_400_000_000
        for pass in 0..<2 {
            for step in ["job.created", "job.started", "job.completed"] {
                for job in 0..<40 {
                    micros += 7_000 + Int64(job % 5) * 1_000
                    let body = #"{"Type":"\#(step)","EventId":"\#(step)-\#(job)","Timestamp":"2026-11-29T10:00:00Z","Job":{"Id":\#(job),"Key":"job-\#(job)"}}"#
                    events.append(SourceEvent(time: Timestamp(microsecondsSinceEpoch: micros), type: step, body: Array(body.utf8),
                                              pass: pass))
                    if job % 10 == 0 {
                        let robot = #"{"Type":"robot.status","EventId":"robot-\#(step)-\#(job)"}"#
                        events.append(SourceEvent(time: Timestamp(microsecondsSinceEpoch: micros), type: "robot.status",
                                                  body: Array(robot.utf8), pass: pass))
                    }
                }
            }
        }
        return events
    }()

    private struct Sent: Hashable {
        var sendTime: Duration
        /// The whole request: its head differs only in Content-Length, so this is the body too.
        var request: String
        var entity: String?
    }

    /// - Parameter runStart: a common `--start-at`; then the preparer must not
    ///   read the clock for rebased times, and `now` here moves on every call.
    private func schedule(pacer: any Pacer, rewrites: ReplayRewrites, shard: Shard?, runStart: Timestamp? = nil) throws -> [Sent] {
        let clock = ManagedClock()
        let preparer = try RequestPreparer(
            source: ListedEvents(Self.events), target: try DeliveryTarget(url: "http://127.0.0.1:9/hooks"), pacer: pacer,
            rewrites: rewrites, ordersByEntity: true, shard: shard, seed: 11, runStart: runStart,
            now: runStart == nil ? { Timestamp(microsecondsSinceEpoch: 1_800_000_000_000_000) } : clock.tick)
        var sent: [Sent] = []
        while let event = preparer.next() {
            // Closed loop sends at once: every event at offset zero.
            let time = if case .at(let time) = event.sendTime { time } else { Duration.zero }
            sent.append(Sent(sendTime: time, request: String(buffer: event.payload.bytes), entity: event.entity?.key))
        }
        return sent
    }

    /// Pacing 0: a constant rate; 1: a Poisson ramp; 2: original timing, faster, gaps capped.
    @Test(arguments: [0, 1, 2])
    func theShardsTogetherSendTheWholeScheduleOnce(pacing: Int) throws {
        let pacers: [any Pacer] = [
            RatePacer(curve: ArrivalCurve(startRate: 400), process: .uniform, seed: 3),
            RatePacer(curve: ArrivalCurve(startRate: 50, stages: [ArrivalCurve.Stage(duration: .seconds(1), targetRate: 500)]),
                      process: .poisson, seed: 3),
            OriginalTimingPacer(speed: 2, maximumGap: .milliseconds(9)),
        ]
        let rewrites = ReplayRewrites(freshEventIds: true, freshEntities: true, rebaseTimestamps: true)
        let whole = try schedule(pacer: pacers[pacing], rewrites: rewrites, shard: nil)
        #expect(whole.count == Self.events.count)
        let sentKeys = Set(whole.flatMap { $0.request.matches(of: /"Key":"([^"]+)"/).map { String($0.output.1) } })
        #expect(sentKeys.count == 80 && !sentKeys.contains("job-0"), "new keys for each job in each pass")

        var union: [Sent] = []
        for index in 0..<4 {
            let part = try schedule(pacer: pacers[pacing], rewrites: rewrites, shard: try Shard(index: index, count: 4))
            #expect(!part.isEmpty, "40 jobs reach every one of 4 shards")
            #expect(part.count < whole.count)
            // Each shard's events keep their order, so each job's lifecycle does too.
            #expect(zip(part, part.dropFirst()).allSatisfy { $0.sendTime <= $1.sendTime })
            union += part
        }
        // Same times, same fresh EventIds and entities, same rebased times: one run, split.
        #expect(Set(union) == Set(whole))
        #expect(union.count == whole.count)
    }

    /// A clock that moves a minute each time it is read.
    private final class ManagedClock {
        private var micros: Int64 = 1_900_000_000_000_000
        func tick() -> Timestamp {
            micros += 60_000_000
            return Timestamp(microsecondsSinceEpoch: micros)
        }
    }

    /// With a common start (`--start-at`), a pass's times are rebased onto its
    /// first event's scheduled time, not onto when a shard happened to read it.
    @Test func withACommonStartRebasedTimesAreTheSameInEveryShard() throws {
        let start = Timestamp(rfc3339: "2026-12-07T10:00:00Z")!
        let pacer = RatePacer(curve: ArrivalCurve(startRate: 400), process: .uniform, seed: 3)
        let rewrites = ReplayRewrites(rebaseTimestamps: true)
        let whole = try schedule(pacer: pacer, rewrites: rewrites, shard: nil, runStart: start)
        #expect(whole.first?.request.contains(#""Timestamp":"2026-12-07T10:00:00"#) == true, "\(whole.first?.request.suffix(160) ?? "")")
        var union: [Sent] = []
        for index in 0..<3 {
            union += try schedule(pacer: pacer, rewrites: rewrites, shard: try Shard(index: index, count: 3), runStart: start)
        }
        #expect(Set(union) == Set(whole))
    }

    /// Routing reads the recorded `Key`: a shard owns the same jobs in every
    /// pass, whether or not they are given new identities.
    @Test(arguments: [false, true])
    func aJobsEventsAllGoToOneShard(freshEntities: Bool) throws {
        var shardOfJob: [String: Int] = [:]
        for index in 0..<3 {
            let part = try schedule(pacer: ClosedLoopPacer(concurrency: 4), rewrites: ReplayRewrites(freshEntities: freshEntities),
                                    shard: try Shard(index: index, count: 3))
            for sent in part {
                guard let job = sent.entity else { continue }
                #expect(shardOfJob.updateValue(index, forKey: job) ?? index == index, "\(job) split across shards")
                #expect(Shard.index(ofRoutingKey: job.utf8, count: 3) == index)
            }
        }
        #expect(shardOfJob.count == 40)
    }
}
