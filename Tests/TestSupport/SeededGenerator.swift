import EventModel

/// A small deterministic generator (EventModel's SplitMix64), so property tests replay exactly.
public typealias SeededGenerator = SplitMix64
