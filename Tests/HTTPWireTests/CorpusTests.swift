import HTTPWire
import Testing

@Suite struct CorpusTests {
    @Test(arguments: Corpus.requests)
    func requestMatchesNIO(_ input: [UInt8]) {
        let verdict = compare(nio: NIOOracle().parseRequests(input), wire: Wire.parseRequests(input), input: input)
        if case .mismatch(let why) = verdict { Issue.record("\(why)") }
    }

    @Test(arguments: Corpus.responses)
    func responseMatchesNIO(_ input: [UInt8]) {
        let verdict = compare(nio: NIOOracle().parseResponses(input), wire: Wire.parseResponses(input), input: input)
        if case .mismatch(let why) = verdict { Issue.record("\(why)") }
    }

    /// The record's fields are what the recorder makes of NIOHTTP1's headers today
    /// (`lowerCasedHeaders`: names lower-cased, repeats joined with ", ").
    @Test(arguments: Corpus.wellFormedRequests)
    func recordedFieldsMatchToday(_ text: String) throws {
        let input = Array(text.utf8)
        var heads: [RequestHead] = []
        var parser = RequestParser()
        try input.withUnsafeBytes { bytes in
            var index = 0
            while let part = try parser.read(from: bytes, at: &index) {
                if case .head(let head) = part { heads.append(head) }
            }
        }
        let nio = NIOOracle().parseRequests(input).messages
        try #require(nio.count > 0)
        for (head, message) in zip(heads, nio) {
            let recorded = head.headers.recordedFields()
            var today: [(name: String, value: String)] = []
            for field in message.headers {
                let name = field.name.lowercased()
                if let index = today.firstIndex(where: { $0.name == name }) {
                    today[index].value += ", " + field.value
                } else {
                    today.append((name, field.value))
                }
            }
            #expect(recorded.map(\.name) == today.map(\.name))
            #expect(recorded.map(\.value) == today.map(\.value))
        }
    }
}
