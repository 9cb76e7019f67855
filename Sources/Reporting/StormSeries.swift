/// What a live storm produced, per second of storm time (which is send time):
/// arrivals (new jobs and queue items) and emitted events. Part of a storm's
/// result, so `hookreel report` shows it as the run did.
public struct StormSeries: Sendable, Codable, Equatable {
    /// Second `i` counts the arrivals whose first event was due in [i s, i+1 s) from the origin.
    public var arrivalsPerSecond: [Int]
    /// Second `i` counts every event due in [i s, i+1 s) from the origin.
    public var eventsPerSecond: [Int]

    public init(arrivalsPerSecond: [Int], eventsPerSecond: [Int]) {
        precondition(arrivalsPerSecond.count == eventsPerSecond.count, "one count of each per second")
        self.arrivalsPerSecond = arrivalsPerSecond
        self.eventsPerSecond = eventsPerSecond
    }

    enum CodingKeys: String, CodingKey {
        case arrivalsPerSecond = "arrivals_per_second"
        case eventsPerSecond = "events_per_second"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        arrivalsPerSecond = try container.decode([Int].self, forKey: .arrivalsPerSecond)
        eventsPerSecond = try container.decode([Int].self, forKey: .eventsPerSecond)
        guard arrivalsPerSecond.count == eventsPerSecond.count else {
            throw DecodingError.dataCorruptedError(forKey: .eventsPerSecond, in: container,
                debugDescription: "\(eventsPerSecond.count) seconds of events but \(arrivalsPerSecond.count) of arrivals")
        }
    }

    /// Adds `other`, whose origin lies `delaySeconds` (>= 0) after this one's.
    mutating func add(_ other: StormSeries, delaySeconds: Int) {
        let length = max(arrivalsPerSecond.count, other.arrivalsPerSecond.count + delaySeconds)
        arrivalsPerSecond += Array(repeating: 0, count: length - arrivalsPerSecond.count)
        eventsPerSecond += Array(repeating: 0, count: length - eventsPerSecond.count)
        for (index, count) in other.arrivalsPerSecond.enumerated() { arrivalsPerSecond[index + delaySeconds] += count }
        for (index, count) in other.eventsPerSecond.enumerated() { eventsPerSecond[index + delaySeconds] += count }
    }

    /// Totals with their mean rates over `seconds`, then arrivals and events
    /// per second, in at most `rows` rows (longer storms in buckets of several
    /// seconds, as per-second means).
    func text(seconds: Double, rows: Int = 30) -> String {
        let totalArrivals = arrivalsPerSecond.reduce(0, +)
        let totalEvents = eventsPerSecond.reduce(0, +)
        let perSecond = { (count: Int) in seconds > 0 ? String(Int((Double(count) / seconds).rounded())) : "-" }
        var text = "storm             \(totalArrivals) arrivals (\(perSecond(totalArrivals))/s), "
            + "\(totalEvents) events emitted (\(perSecond(totalEvents))/s)\n"
        guard !eventsPerSecond.isEmpty else { return text }
        let bucket = (eventsPerSecond.count + rows - 1) / rows
        text += "\n  storm time   arrivals/s   events/s\n"
        for first in stride(from: 0, to: eventsPerSecond.count, by: bucket) {
            let range = first..<min(first + bucket, eventsPerSecond.count)
            let mean = { (counts: [Int]) in String(Int((Double(counts[range].reduce(0, +)) / Double(range.count)).rounded())) }
            let label = bucket == 1 ? "\(first)s" : "\(first)-\(range.upperBound)s"
            text += TextReport.leftPad(label, 12) + TextReport.leftPad(mean(arrivalsPerSecond), 13)
                + TextReport.leftPad(mean(eventsPerSecond), 11) + "\n"
        }
        return text
    }
}
