import HTTPWire
import Testing

/// Bytes in any split give what one block gives: every corpus input cut at every
/// offset, and fed one byte per call.
@Suite struct SplitTests {
    @Test(arguments: Corpus.requests)
    func requestAtEveryOffset(_ input: [UInt8]) {
        let whole = Wire.parseRequests(input)
        for cut in 0...input.count {
            #expect(Wire.parseRequests(input, splitAt: [cut]) == whole, "cut at \(cut)")
        }
        #expect(Wire.parseRequests(input, splitAt: Array(0...input.count)) == whole, "one byte per call")
    }

    @Test(arguments: Corpus.responses)
    func responseAtEveryOffset(_ input: [UInt8]) {
        let whole = Wire.parseResponses(input)
        for cut in 0...input.count {
            #expect(Wire.parseResponses(input, splitAt: [cut]) == whole, "cut at \(cut)")
        }
        #expect(Wire.parseResponses(input, splitAt: Array(0...input.count)) == whole, "one byte per call")
    }
}
