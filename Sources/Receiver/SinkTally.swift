import EventModel
import NIOCore

/// The sink's running account of deliveries, from which its summary is made.
///
/// Duplicates and lifecycle order are judged among deliveries answered 2xx
/// only: an event the sink refused (an injected error, a rejected signature)
/// was not taken, so its redelivery is a retry, not a duplicate, and is the
/// first time a receiver would have seen it. A duplicate is then left out of
/// the order check too (a repeat is no new step of the lifecycle).
/// Memory grows with the distinct `EventId`s and entities seen.
struct SinkTally {
    /// How many duplicates and violations the summary names.
    static let exampleLimit = 5

    struct Delivery {
        var type: String?
        var eventId: String?
        var entity: EntityKey?
        var verdict: SignatureVerdict?
        var status: Int
        var arrival: NIODeadline
    }

    /// What a delivery turned out to be, for the metrics.
    struct Findings {
        var isDuplicate = false
        var violation: LifecycleViolation?
    }

    private var summary = SinkSummary()
    private var firstArrival: NIODeadline?
    private var lastArrival: NIODeadline?
    private var acceptedEventIds: Set<String> = []
    /// Index into `summary.duplicateExamples` per example `EventId`.
    private var exampleIndex: [String: Int] = [:]
    private var order = LifecycleOrderChecker()

    init(seed: UInt64) {
        summary.seed = seed
    }

    mutating func record(_ delivery: Delivery) -> Findings {
        summary.requestsReceived += 1
        firstArrival = firstArrival ?? delivery.arrival
        lastArrival = delivery.arrival
        if let verdict = delivery.verdict { summary.signatureVerdicts[verdict, default: 0] += 1 }
        summary.eventTypes[delivery.type ?? SinkSummary.noTypeKey, default: 0] += 1

        var findings = Findings()
        guard (200...299).contains(delivery.status) else { return findings }
        if let eventId = delivery.eventId, !acceptedEventIds.insert(eventId).inserted {
            findings.isDuplicate = true
            countDuplicate(eventId, type: delivery.type)
            return findings
        }
        if let type = delivery.type, let entity = delivery.entity, let violation = order.observe(type: type, entity: entity) {
            findings.violation = violation
            summary.orderViolations += 1
            if summary.orderViolationExamples.count < Self.exampleLimit { summary.orderViolationExamples.append(violation) }
        }
        return findings
    }

    private mutating func countDuplicate(_ eventId: String, type: String?) {
        summary.duplicateDeliveries += 1
        if let index = exampleIndex[eventId] {
            summary.duplicateExamples[index].deliveries += 1
        } else if summary.duplicateExamples.count < Self.exampleLimit {
            exampleIndex[eventId] = summary.duplicateExamples.count
            summary.duplicateExamples.append(SinkSummary.Duplicate(eventId: eventId, type: type, deliveries: 2))
        }
    }

    mutating func answered(status: Int) {
        summary.statusesAnswered[status, default: 0] += 1
    }

    var current: SinkSummary {
        var result = summary
        result.distinctEntities = order.entityCounts
        if let firstArrival, let lastArrival {
            result.activePeriod = .nanoseconds((lastArrival - firstArrival).nanoseconds)
        }
        return result
    }
}
