import Primitives

/// A small deterministic generator (Primitives' SplitMix64), so property tests replay exactly.
public typealias SeededGenerator = SplitMix64
