import Primitives
import Testing

@Suite struct SplitMix64Tests {
    /// The reference sequence for seed 0 (Vigna's splitmix64.c): storms and
    /// Poisson schedules repeat only as long as this does.
    @Test func followsTheReferenceSequence() {
        var random = SplitMix64(seed: 0)
        #expect((0..<3).map { _ in random.next() } == [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F])
    }

    @Test func unitsStayInTheHalfOpenInterval() {
        var random = SplitMix64(seed: 5)
        #expect((0..<10_000).allSatisfy { _ in (0..<1).contains(random.nextUnit()) })
        #expect((0..<10_000).allSatisfy { _ in random.nextExponential().isFinite })
    }
}
