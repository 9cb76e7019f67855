import Foundation

/// The body of `POST /hookreel/events`: one event (a JSON object, pretty-printed
/// or not) or NDJSON, one event per line. Each event is forwarded byte for byte,
/// so it is validated but never re-encoded.
enum EventBatch {
    static func split(_ body: [UInt8]) throws(OrchestratorError) -> [[UInt8]] {
        let whole = trimmed(body[...])
        guard !whole.isEmpty else { throw .invalid("The body has no event: send one JSON object or NDJSON.") }
        if isJSONObject(whole) { return [Array(whole)] }
        var events: [[UInt8]] = []
        for (index, line) in whole.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let event = trimmed(line)
            if event.isEmpty { continue }
            guard isJSONObject(event) else {
                throw .invalid("Line \(index + 1) of the body is not a JSON object: send one event or NDJSON.")
            }
            events.append(Array(event))
        }
        return events
    }

    private static func isJSONObject(_ bytes: ArraySlice<UInt8>) -> Bool {
        (try? JSONSerialization.jsonObject(with: Data(bytes))) is [String: Any]
    }

    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let isSpace = { (byte: UInt8) in byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else {
            return []
        }
        return bytes[first...last]
    }

    /// The answer to `POST /hookreel/events`: sums over the batch's events of
    /// what `WebhookDispatcher.dispatch` reports for each.
    struct Totals: Encodable, Equatable {
        var events: Int
        var delivered = 0
        var failed = 0
        var breakerSkipped = 0
        var unsubscribed = 0

        mutating func add(_ summary: DispatchSummary) {
            delivered += summary.delivered
            failed += summary.failed
            breakerSkipped += summary.breakerSkipped
            unsubscribed += summary.unsubscribed
        }
    }
}
