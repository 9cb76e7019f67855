import HTTPWire

/// How HTTPWire's reading of an input relates to NIOHTTP1's.
enum Verdict: Equatable {
    case agree
    case byDesign(ByDesignDifference)
    case mismatch(String)
}

/// Compares the two readings of one input (followed by the end of the connection):
/// every message both read must be equal; a message NIOHTTP1 read and HTTPWire
/// refused needs a by-design difference; a message NIOHTTP1 refused must not be
/// read by HTTPWire, and an input NIOHTTP1 refuses must be refused.
func compare(nio: OracleOutcome, wire: WireOutcome, input: [UInt8]) -> Verdict {
    for (index, accepted) in nio.messages.enumerated() {
        guard index < wire.messages.count else {
            guard let error = wire.error else { return .mismatch("HTTPWire did not finish message \(index) that NIOHTTP1 read: \(accepted)") }
            return classify(accepted, error: error, input: input)
        }
        guard wire.messages[index] == accepted else {
            return .mismatch("message \(index) differs:\n  NIOHTTP1 \(accepted)\n  HTTPWire \(wire.messages[index])")
        }
        if ByDesignDifference.isUpgrade(accepted) { return .byDesign(.readsUpgradeAsOrdinaryRequest) }
    }
    if wire.messages.count > nio.messages.count {
        return .mismatch("HTTPWire read message \(nio.messages.count) that NIOHTTP1 refused (\(nio.ending)): \(wire.messages[nio.messages.count])")
    }
    switch (nio.ending, wire.error) {
    case (.accepted, nil), (.rejected, _?): return .agree
    case (.rejected(let reason), nil): return .mismatch("HTTPWire accepted what NIOHTTP1 refused: \(reason)")
    case (.accepted, let error?): return classify(nil, error: error, input: input)
    }
}

private func classify(_ accepted: OracleMessage?, error: HTTPWireError, input: [UInt8]) -> Verdict {
    if let difference = ByDesignDifference.allCases.first(where: { $0.explains(accepted, error: error, input: input) }) {
        return .byDesign(difference)
    }
    return .mismatch("HTTPWire refused (\(error)) what NIOHTTP1 read: \(accepted.map { "\($0)" } ?? "the end of the input")")
}
