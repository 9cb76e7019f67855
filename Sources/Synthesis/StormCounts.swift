import EventModel
import Reporting
import Synchronization

/// Arrivals and events a storm produced, in total and per second of storm
/// time (which is send time), read after the run for the report. A shard
/// counts only its own events, so the shards' counts add up to the storm's.
public final class StormCounts: Sendable {
    private let shard: Shard?
    private let tally = Mutex(StormSeries(arrivalsPerSecond: [], eventsPerSecond: []))

    public init(shard: Shard? = nil) {
        self.shard = shard
    }

    /// Counts `event`, `start` being the storm's origin (second 0).
    public func record(_ event: SynthesizedEvent, from start: Timestamp) {
        if let shard, !shard.owns(event) { return }
        let second = Int(max(0, event.time.microsecondsSinceEpoch - start.microsecondsSinceEpoch) / 1_000_000)
        tally.withLock { tally in
            while tally.eventsPerSecond.count <= second {
                tally.eventsPerSecond.append(0)
                tally.arrivalsPerSecond.append(0)
            }
            tally.eventsPerSecond[second] += 1
            if event.startsArrival { tally.arrivalsPerSecond[second] += 1 }
        }
    }

    /// The counts so far, for the run's result.
    public var series: StormSeries { tally.withLock { $0 } }
}
