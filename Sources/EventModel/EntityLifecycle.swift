/// The entity an event is about, for per-entity ordering (the sink's order
/// check, replay's `--order entity`): a job by its `Key`, or a queue item by
/// its `Key`, which all retries of one item share (docs/orchestrator-webhooks.md §3.0).
public struct EntityKey: Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case job
        case queueItem
    }

    public let kind: Kind
    public let key: String

    public init(kind: Kind, key: String) {
        self.kind = kind
        self.key = key
    }

    public var description: String { "\(kind.rawValue) \(key)" }
}

extension EntityKey {
    /// The job `Key` of a job.* event (from `Job` or the first of `Jobs`), or the queue item `Key` of a queueItem.* event (`QueueItem` or first of `QueueItems`); nil for other events and non-JSON bodies.
    public static func entityKey(ofEventBody body: [UInt8], type: String) -> EntityKey? {
        let kind: Kind
        let single: StaticString
        let plural: StaticString
        if type.hasPrefix("job.") {
            (kind, single, plural) = (.job, "Job", "Jobs")
        } else if type.hasPrefix("queueItem.") {
            (kind, single, plural) = (.queueItem, "QueueItem", "QueueItems")
        } else {
            return nil
        }
        guard body.count < JSONScanner.maximumInputSize else { return nil }
        let key = body.withUnsafeBufferPointer { bytes in
            var scanner = JSONScanner(bytes)
            return try? scanner.findEntityKey(single: single, plural: plural)
        }
        return key.flatMap { $0 }.map { EntityKey(kind: kind, key: $0) }
    }
}

extension JSONScanner {
    /// Walks the top-level object until a `single` object or the first element
    /// of a `plural` array yields a string `Key`; the rest is left unread.
    fileprivate mutating func findEntityKey(single: StaticString, plural: StaticString) throws(JSONSyntaxError) -> String? {
        var found: String?
        _ = try scanObjectPrefix { scanner, member throws(JSONSyntaxError) in
            if scanner.string(member, equals: single), scanner.peekAfterWhitespace() == UInt8(ascii: "{") {
                found = try scanner.findKeyMember()
            } else if scanner.string(member, equals: plural), scanner.peekAfterWhitespace() == UInt8(ascii: "[") {
                scanner.index += 1
                if scanner.peekAfterWhitespace() == UInt8(ascii: "{") { found = try scanner.findKeyMember() }
                // The array is left half read: the scan stops here either way.
                return false
            } else {
                try scanner.skipValue()
            }
            return found == nil
        }
        return found
    }

    /// The string `Key` member of the object at the cursor, scanning no further than it.
    private mutating func findKeyMember() throws(JSONSyntaxError) -> String? {
        var key: String?
        _ = try scanObjectPrefix { scanner, member throws(JSONSyntaxError) in
            if scanner.string(member, equals: "Key"), scanner.peekAfterWhitespace() == UInt8(ascii: "\"") {
                key = scanner.decodeString(try scanner.scanString())
                return false
            }
            try scanner.skipValue()
            return true
        }
        return key
    }
}

/// Tracks each entity's lifecycle and reports events that arrive out of the documented order (section 5 of docs/orchestrator-webhooks.md), e.g. job.started after job.completed for the same Key.
///
/// Only rules that hold however many events go missing are checked, because
/// events do go missing: Orchestrator skips `job.created` for robot-created
/// jobs, drops events while a webhook's circuit breaker is open, and replays
/// may be filtered. Such rules say what may *not follow* what:
/// - job: `job.created` comes before every other event of the job, and a
///   terminal event (`job.completed`, `job.faulted`, `job.stopped`) after every
///   other one; so nothing but the same terminal type follows a terminal event.
///   Other job events (`job.started`, and newer `job.suspended`/`job.resumed`)
///   may repeat and interleave freely: suspend/resume may start a job again.
/// - queue item: the `Key` is shared by every retry of an item (a failed or
///   abandoned item is cloned with a new `Id`, and the clone may or may not be
///   announced with `queueItem.added`), so `added`, `transactionStarted`,
///   `transactionFailed` and `transactionAbandoned` may recur in any order a
///   lossy sequence of attempts allows. Only `transactionCompleted` is final: a
///   successful item is never retried, so nothing but another
///   `transactionCompleted` may follow it.
///
/// Repeating the same type is never a violation: per-folder fan-out delivers
/// one event once per folder, each with its own `EventId` (§1.5). Exact
/// duplicates (same `EventId`) are the caller's to filter out.
///
/// Memory grows with the number of distinct entities observed.
public struct LifecycleOrderChecker: Sendable {
    /// Per entity: the latest-phase event seen.
    private var furthest: [EntityKey: (phase: Phase, type: String)] = [:]
    /// Distinct entities observed, per kind.
    public private(set) var entityCounts: [EntityKey.Kind: Int] = [:]

    public init() {}

    /// Records `type` for `entity`; returns the violation if it may not follow what the entity already had.
    public mutating func observe(type: String, entity: EntityKey) -> LifecycleViolation? {
        let phase = Phase(of: type, kind: entity.kind)
        guard let seen = furthest[entity] else {
            furthest[entity] = (phase, type)
            entityCounts[entity.kind, default: 0] += 1
            return nil
        }
        if phase > seen.phase {
            furthest[entity] = (phase, type)
            return nil
        }
        let isLate = phase < seen.phase || (phase == .final && type != seen.type)
        return isLate ? LifecycleViolation(entity: entity, type: type, precedingType: seen.type) : nil
    }

    /// Where an event sits in its entity's lifecycle; events of one phase may come in any order.
    private enum Phase: Int, Comparable {
        case first, middle, final

        init(of type: String, kind: EntityKey.Kind) {
            switch (kind, type) {
            case (.job, EventType.jobCreated.rawValue): self = .first
            case (.job, EventType.jobCompleted.rawValue), (.job, EventType.jobFaulted.rawValue),
                 (.job, EventType.jobStopped.rawValue): self = .final
            case (.queueItem, EventType.queueItemTransactionCompleted.rawValue): self = .final
            default: self = .middle
            }
        }

        static func < (lhs: Phase, rhs: Phase) -> Bool { lhs.rawValue < rhs.rawValue }
    }
}

/// An event that arrived after one it must precede (or, for two different terminal events, either order).
public struct LifecycleViolation: Sendable, Hashable, CustomStringConvertible {
    public let entity: EntityKey
    /// The event that arrived out of order.
    public let type: String
    /// The event already received for the entity that `type` may not follow.
    public let precedingType: String

    public init(entity: EntityKey, type: String, precedingType: String) {
        self.entity = entity
        self.type = type
        self.precedingType = precedingType
    }

    public var description: String { "\(entity): \(type) after \(precedingType)" }
}
