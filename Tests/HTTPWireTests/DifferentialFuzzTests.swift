import Foundation
import HTTPWire
import Testing

/// Mutated corpus inputs through NIOHTTP1 and HTTPWire. The normal suite runs
/// 100,000 inputs per parser in four seeded shards (run in parallel);
/// HTTPWIRE_FUZZ_COUNT=10000000 runs that many per parser instead (in release).
@Suite struct DifferentialFuzzTests {
    static let shards: [UInt64] = [1, 2, 3, 4]
    static let inputsPerParser = ProcessInfo.processInfo.environment["HTTPWIRE_FUZZ_COUNT"].flatMap(Int.init) ?? 100_000

    @Test(arguments: shards)
    func mutatedRequests(shard: UInt64) {
        let oracle = NIOOracle()
        run(shard: shard, corpus: Corpus.requests, nio: oracle.parseRequests,
            wire: { Wire.parseRequests($0, splitAt: $1) })
    }

    @Test(arguments: shards)
    func mutatedResponses(shard: UInt64) {
        let oracle = NIOOracle()
        run(shard: shard, corpus: Corpus.responses, nio: { oracle.parseResponses($0) },
            wire: { Wire.parseResponses($0, splitAt: $1) })
    }

    /// Each mutated input goes to NIOHTTP1 in one block and to HTTPWire cut at up
    /// to three random offsets (or not at all): agreeing with NIOHTTP1 however the
    /// input is cut is what "any split" asks. (Cutting instead of parsing twice
    /// saves a third of the suite's time in a debug build.)
    private func run(shard: UInt64, corpus: [[UInt8]], nio: ([UInt8]) -> OracleOutcome,
                     wire: ([UInt8], [Int]) -> WireOutcome) {
        var random = SeededGenerator(seed: shard)
        var failures = 0
        let count = Self.inputsPerParser / Self.shards.count + (shard == 1 ? Self.inputsPerParser % Self.shards.count : 0)
        for _ in 0..<count {
            let input = Mutator.mutate(corpus.randomElement(using: &random)!, using: &random)
            let splits = Mutator.splits(input.count, using: &random)
            if case .mismatch(let why) = compare(nio: nio(input), wire: wire(input, splits), input: input) {
                Issue.record("\(why)\n  input: \(String(decoding: input, as: UTF8.self).debugDescription), cut at \(splits)")
                failures += 1
                if failures == 10 { return }
            }
        }
    }
}
