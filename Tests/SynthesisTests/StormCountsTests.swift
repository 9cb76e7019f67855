import EventModel
import Reporting
import Testing
@testable import Synthesis

@Suite struct StormCountsTests {
    private let start = Timestamp(rfc3339: "2026-03-31T08:00:00Z")!

    private func event(atMilliseconds offset: Int64, id: String, startsArrival: Bool) -> SynthesizedEvent {
        SynthesizedEvent(time: Timestamp(microsecondsSinceEpoch: start.microsecondsSinceEpoch + offset * 1000), type: "job.created",
                         eventId: id, body: [], entity: nil, startsArrival: startsArrival)
    }

    /// Second i holds what was due in [i s, i+1 s); seconds with nothing are zeros.
    @Test func countsEventsAndArrivalsPerSecondOfStormTime() {
        let counts = StormCounts()
        for (offset, startsArrival) in [(0, true), (999, false), (1000, true), (3500, true), (3999, false)] {
            counts.record(event(atMilliseconds: Int64(offset), id: "e\(offset)", startsArrival: startsArrival), from: start)
        }
        #expect(counts.series == StormSeries(arrivalsPerSecond: [1, 1, 0, 1], eventsPerSecond: [2, 1, 0, 2]))
    }

    /// Each shard counts its own events; together they count the storm's.
    @Test func shardsCountTheirOwnEventsAndAddUpToTheWhole() throws {
        let events = (0..<200).map { event(atMilliseconds: Int64($0 * 20), id: "event-\($0)", startsArrival: $0 % 3 == 0) }
        let whole = StormCounts()
        let shards = try (0..<3).map { StormCounts(shard: try Shard(index: $0, count: 3)) }
        for event in events {
            whole.record(event, from: start)
            for shard in shards { shard.record(event, from: start) }
        }
        let sums = shards.map(\.series).reduce(into: (arrivals: [Int](repeating: 0, count: 4), events: [Int](repeating: 0, count: 4))) { sum, series in
            for (second, count) in series.arrivalsPerSecond.enumerated() { sum.arrivals[second] += count }
            for (second, count) in series.eventsPerSecond.enumerated() { sum.events[second] += count }
        }
        #expect(shards.allSatisfy { $0.series.eventsPerSecond.reduce(0, +) < events.count })
        #expect(whole.series == StormSeries(arrivalsPerSecond: sums.arrivals, eventsPerSecond: sums.events))
    }
}
