/// The Orchestrator webhook event types, exactly as `GetEventTypes` lists them
/// (the seed's response), plus `ping`, which Orchestrator sends from the Ping
/// action but does not offer for subscription. Other modules use these values
/// instead of string literals.
public struct EventType: RawRepresentable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public var description: String { rawValue }
    public static func < (lhs: EventType, rhs: EventType) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Lengths first: most names are longer than a small string, and telling
    /// two different ones apart by content showed in storm profiles, where
    /// every event's type is compared several times.
    public static func == (lhs: EventType, rhs: EventType) -> Bool {
        lhs.rawValue.utf8.count == rhs.rawValue.utf8.count && lhs.rawValue == rhs.rawValue
    }

    public static let processCreated = EventType(rawValue: "process.created")
    public static let processUpdated = EventType(rawValue: "process.updated")
    public static let processDeleted = EventType(rawValue: "process.deleted")
    public static let scheduleFailed = EventType(rawValue: "schedule.failed")
    public static let robotStatus = EventType(rawValue: "robot.status")
    public static let jobStarted = EventType(rawValue: "job.started")
    public static let jobCompleted = EventType(rawValue: "job.completed")
    public static let jobFaulted = EventType(rawValue: "job.faulted")
    public static let jobStopped = EventType(rawValue: "job.stopped")
    public static let jobCreated = EventType(rawValue: "job.created")
    public static let queueCreated = EventType(rawValue: "queue.created")
    public static let queueUpdated = EventType(rawValue: "queue.updated")
    public static let queueDeleted = EventType(rawValue: "queue.deleted")
    public static let queueItemAdded = EventType(rawValue: "queueItem.added")
    public static let queueItemTransactionStarted = EventType(rawValue: "queueItem.transactionStarted")
    public static let queueItemTransactionFailed = EventType(rawValue: "queueItem.transactionFailed")
    public static let queueItemTransactionCompleted = EventType(rawValue: "queueItem.transactionCompleted")
    public static let queueItemTransactionAbandoned = EventType(rawValue: "queueItem.transactionAbandoned")
    public static let robotCreated = EventType(rawValue: "robot.created")
    public static let robotUpdated = EventType(rawValue: "robot.updated")
    public static let robotDeleted = EventType(rawValue: "robot.deleted")
    /// Sent by `POST Webhooks(id)/…Ping`; not subscribable.
    public static let ping = EventType(rawValue: "ping")
}

/// The group `GetEventTypes` puts an event type in.
public struct EventGroup: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public static let process = EventGroup(rawValue: "process")
    public static let schedule = EventGroup(rawValue: "schedule")
    public static let robot = EventGroup(rawValue: "robot")
    public static let job = EventGroup(rawValue: "job")
    public static let queue = EventGroup(rawValue: "queue")
    public static let queueItem = EventGroup(rawValue: "queueItem")
    public static let ping = EventGroup(rawValue: "ping")
}

public enum EventCatalog {
    public struct Entry: Sendable, Hashable {
        public let type: EventType
        public let group: EventGroup
    }

    /// The subscribable event types, in `GetEventTypes` order.
    public static let subscribable: [Entry] = [
        Entry(type: .processCreated, group: .process),
        Entry(type: .processUpdated, group: .process),
        Entry(type: .processDeleted, group: .process),
        Entry(type: .scheduleFailed, group: .schedule),
        Entry(type: .robotStatus, group: .robot),
        Entry(type: .jobStarted, group: .job),
        Entry(type: .jobCompleted, group: .job),
        Entry(type: .jobFaulted, group: .job),
        Entry(type: .jobStopped, group: .job),
        Entry(type: .jobCreated, group: .job),
        Entry(type: .queueCreated, group: .queue),
        Entry(type: .queueUpdated, group: .queue),
        Entry(type: .queueDeleted, group: .queue),
        Entry(type: .queueItemAdded, group: .queueItem),
        Entry(type: .queueItemTransactionStarted, group: .queueItem),
        Entry(type: .queueItemTransactionFailed, group: .queueItem),
        Entry(type: .queueItemTransactionCompleted, group: .queueItem),
        Entry(type: .queueItemTransactionAbandoned, group: .queueItem),
        Entry(type: .robotCreated, group: .robot),
        Entry(type: .robotUpdated, group: .robot),
        Entry(type: .robotDeleted, group: .robot),
    ]

    /// Every event type hookreel knows: the subscribable ones and `ping`.
    public static let all: [Entry] = subscribable + [Entry(type: .ping, group: .ping)]

    private static let groupsByType: [EventType: EventGroup] =
        Dictionary(uniqueKeysWithValues: all.map { ($0.type, $0.group) })

    /// The group of a known type, or nil for a type outside the catalog.
    public static func group(of type: EventType) -> EventGroup? { groupsByType[type] }

    public static func isKnown(_ type: EventType) -> Bool { groupsByType[type] != nil }
}
