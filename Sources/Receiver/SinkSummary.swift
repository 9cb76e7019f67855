import EventModel
import Foundation
import Primitives

/// What a sink received and answered; printed by `hookreel sink` when it stops.
/// Deliveries are POSTs; `GET /metrics` and `GET /healthz` are not counted.
public struct SinkSummary: Sendable, Equatable {
    /// A delivery of an `EventId` already answered 2xx.
    public struct Duplicate: Sendable, Equatable {
        public var eventId: String
        public var type: String?
        /// How many deliveries of it were answered 2xx, the first included.
        public var deliveries: Int

        public init(eventId: String, type: String?, deliveries: Int) {
            self.eventId = eventId
            self.type = type
            self.deliveries = deliveries
        }
    }

    public var requestsReceived = 0
    /// From the first delivery's arrival to the last one's.
    public var activePeriod: Duration = .zero
    /// Per verdict; empty when no secret was given (signatures unchecked).
    public var signatureVerdicts: [SignatureVerdict: Int] = [:]
    public var duplicateDeliveries = 0
    /// The first few duplicated `EventId`s, in the order they were first repeated.
    public var duplicateExamples: [Duplicate] = []
    public var orderViolations = 0
    /// The first few violations, in arrival order.
    public var orderViolationExamples: [LifecycleViolation] = []
    /// Distinct job and queue item `Key`s among the deliveries order-checked:
    /// a looped replay with fresh entities shows each pass's as new ones.
    public var distinctEntities: [EntityKey.Kind: Int] = [:]
    /// Deliveries per `Type`; the key is `(no Type)` for bodies without one.
    public var eventTypes: [String: Int] = [:]
    /// Deliveries per status answered (the unanswered, e.g. still held at shutdown, are not in it).
    public var statusesAnswered: [Int: Int] = [:]
    /// The seed of the latency and error draws (reuse with `--seed` to repeat them).
    public var seed: UInt64 = 0

    public static let noTypeKey = "(no Type)"

    public init() {}

    /// Deliveries per second over the active period: with n deliveries evenly
    /// spaced, (n - 1) / period is their rate. Nil for fewer than two.
    public var rate: Double? {
        guard requestsReceived >= 2, activePeriod > .zero else { return nil }
        return Double(requestsReceived - 1) / activePeriod.seconds
    }

    /// The summary as people read it, one fact per line.
    public var text: String {
        var lines: [String] = ["requests received: \(requestsReceived)"]
        if let rate {
            lines.append("rate: \(String(format: "%.1f", rate)) requests/s over \(DurationText.format(microseconds: Double(activePeriod.wholeMicroseconds), significantDigits: 4)) (first to last request)")
        } else {
            lines.append("rate: n/a (fewer than two requests)")
        }
        if signatureVerdicts.isEmpty {
            lines.append("signatures: not checked (no secret)")
        } else {
            let verdicts = [SignatureVerdict.valid, .invalid, .missing].map { "\($0.rawValue) \(signatureVerdicts[$0, default: 0])" }
            lines.append("signatures: " + verdicts.joined(separator: ", "))
        }
        lines.append("duplicate EventIds: \(duplicateDeliveries) (deliveries of an EventId already answered 2xx)")
        for example in duplicateExamples {
            lines.append("  \(example.eventId) (\(example.type ?? Self.noTypeKey)): answered 2xx \(example.deliveries) times")
        }
        lines.append("order violations: \(orderViolations)")
        lines += orderViolationExamples.map { "  \($0)" }
        lines.append("distinct Keys: jobs \(distinctEntities[.job, default: 0]), queue items \(distinctEntities[.queueItem, default: 0])")
        lines.append("event types:")
        lines += Self.table(eventTypes.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { ($0.key, $0.value) })
        lines.append("statuses answered:")
        lines += Self.table(statusesAnswered.sorted { $0.key < $1.key }.map { (String($0.key), $0.value) })
        lines.append("seed: \(seed)")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Indented rows with the counts aligned.
    private static func table(_ rows: [(String, Int)]) -> [String] {
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { "  " + $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  \($0.1)" }
    }
}
