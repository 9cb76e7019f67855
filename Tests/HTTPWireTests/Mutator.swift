/// SplitMix64: a small, fast generator whose runs repeat for a seed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Mutates corpus inputs the ways that find framing bugs: flipped bits, bytes that
/// matter to HTTP put in, bytes deleted, spans duplicated.
enum Mutator {
    /// Bytes that delimit something in HTTP/1.1, and a few that must never appear.
    static let delimiters: [UInt8] = Array("\r\n \t:;,=\"\\/?#-0 9afAF".utf8) + [0x00, 0x0B, 0x7F, 0x80, 0xFF]

    static func mutate(_ input: [UInt8], using random: inout SeededGenerator) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            let at = Int.random(in: 0...bytes.count, using: &random)
            switch Int.random(in: 0..<5, using: &random) {
            case 0 where at < bytes.count:
                bytes[at] ^= 1 << UInt8.random(in: 0..<8, using: &random)
            case 1 where at < bytes.count:
                bytes[at] = delimiters.randomElement(using: &random)!
            case 2:
                bytes.insert(Bool.random(using: &random) ? delimiters.randomElement(using: &random)! : UInt8.random(in: 0...255, using: &random), at: at)
            case 3 where at < bytes.count:
                bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...4, using: &random)))
            case 4 where at < bytes.count:
                let span = bytes[at..<min(bytes.count, at + Int.random(in: 1...16, using: &random))]
                bytes.insert(contentsOf: span, at: Int.random(in: 0...bytes.count, using: &random))
            default:
                bytes.append(delimiters.randomElement(using: &random)!)
            }
        }
        return bytes
    }

    /// Up to three ascending offsets at which to cut `count` bytes.
    static func splits(_ count: Int, using random: inout SeededGenerator) -> [Int] {
        (0..<Int.random(in: 0...3, using: &random)).map { _ in Int.random(in: 0...count, using: &random) }.sorted()
    }
}
