// Event bodies for every Orchestrator webhook event type, as exact JSON bytes.
//
// How to call (one builder per payload family; `PayloadFamily(type)` says which):
//
//     var rng = SplitMix64(seed: 42)
//     var ids = EventIdGenerator(style: .numeric, using: &rng)
//     let job = JobSnapshot(id: 1001, key: Identifiers.uuid(using: &rng), state: .running,
//                           startTime: t, info: "Waiting for execution to start...",
//                           release: process, robot: robot)
//     let envelope = EventEnvelopeFields(type: .jobStarted, eventId: ids.next(using: &rng),
//                                        timestamp: t, tenantId: 1, organizationUnitId: 7)
//     let body: [UInt8] = EventPayloads.body(envelope, job: job)
//
//   family          event types                                      builder
//   .processes      process.created/updated/deleted                  body(_:releases:)
//   .scheduleFailed schedule.failed                                  body(_:schedule:reason:)
//   .robotStatus    robot.status                                     body(_:sessions:)
//   .jobCreated     job.created                                      body(_:startInfo:batchExecutionKey:jobs:)
//   .job            job.started/completed/faulted                    body(_:job:)
//   .jobs           job.stopped                                      body(_:jobs:)
//   .queues         queue.created/updated/deleted                    body(_:queues:)
//   .queueItems     queueItem.added/transactionAbandoned             body(_:queue:items:)
//   .queueItem      queueItem.transactionStarted/Completed/Failed    body(_:queue:item:)
//   .robots         robot.created/updated/deleted                    body(_:robots:)
//   .ping           ping                                             pingBody(_:)
//
// Calling a builder with an envelope type outside its family is a programming
// error and traps. The bodies follow docs/orchestrator-webhooks.md §2–3 and the
// documented 2018 samples: PascalCase keys in the samples' order, `Type,
// EventId, Timestamp` first, then the entities, then `TenantId`,
// `OrganizationUnitId`, `UserId`. Times are UTC with up to 7 fractional digits,
// trailing zeros trimmed (`2018-11-26T14:37:26.286184Z`). Output depends only
// on the arguments, so a seeded storm is byte-identical run to run.
import EventModel

/// The envelope properties every event carries (§2).
///
/// `OrganizationUnitId` is written when set (events raised by modern robots
/// omit the folder); `ping` writes it as `null` when unset, as the seed's Ping
/// response does. `UserId` is written when set, except for the events
/// Orchestrator raises without a user — job.started/completed/faulted/stopped,
/// robot.status, schedule.failed and queueItem.transactionAbandoned — where it
/// is never written.
public struct EventEnvelopeFields: Sendable, Hashable {
    public var type: EventType
    /// Opaque string; see `EventIdGenerator`.
    public var eventId: String
    public var timestamp: Timestamp
    public var tenantId: Int
    public var organizationUnitId: Int?
    public var userId: Int?

    public init(type: EventType, eventId: String, timestamp: Timestamp, tenantId: Int = 1,
                organizationUnitId: Int? = nil, userId: Int? = nil) {
        self.type = type
        self.eventId = eventId
        self.timestamp = timestamp
        self.tenantId = tenantId
        self.organizationUnitId = organizationUnitId
        self.userId = userId
    }
}

/// Which builder produces an event type's body: the payload shape family.
public enum PayloadFamily: Sendable, Hashable, CaseIterable {
    case processes, scheduleFailed, robotStatus, jobCreated, job, jobs, queues, queueItems, queueItem, robots, ping

    /// The family of a catalog type; nil for a type outside the catalog.
    public init?(_ type: EventType) {
        switch type {
        case .processCreated, .processUpdated, .processDeleted: self = .processes
        case .scheduleFailed: self = .scheduleFailed
        case .robotStatus: self = .robotStatus
        case .jobCreated: self = .jobCreated
        case .jobStarted, .jobCompleted, .jobFaulted: self = .job
        case .jobStopped: self = .jobs
        case .queueCreated, .queueUpdated, .queueDeleted: self = .queues
        case .queueItemAdded, .queueItemTransactionAbandoned: self = .queueItems
        case .queueItemTransactionStarted, .queueItemTransactionCompleted, .queueItemTransactionFailed:
            self = .queueItem
        case .robotCreated, .robotUpdated, .robotDeleted: self = .robots
        case .ping: self = .ping
        default: return nil
        }
    }

    /// Whether events of `type` may carry `UserId`: not those Orchestrator
    /// raises itself or on a robot's behalf (§2, §3.3, §3.4, §3.6).
    public static func carriesUserId(_ type: EventType) -> Bool {
        switch type {
        case .jobStarted, .jobCompleted, .jobFaulted, .jobStopped, .robotStatus, .scheduleFailed,
             .queueItemTransactionAbandoned:
            false
        default:
            true
        }
    }
}

public enum EventPayloads {
    /// process.created/updated/deleted: `Releases` [].
    public static func body(_ envelope: EventEnvelopeFields, releases: [ProcessSnapshot]) -> [UInt8] {
        var writer = start(envelope, family: .processes, capacity: 200 + 320 * releases.count)
        writer.raw(",\"Releases\":")
        writer.array(releases) { $0.releaseDefinition($1) }
        return finish(&writer, envelope)
    }

    /// schedule.failed: `ProcessSchedule` object and the `Reason` text.
    public static func body(_ envelope: EventEnvelopeFields, schedule: ScheduleSnapshot, reason: String) -> [UInt8] {
        var writer = start(envelope, family: .scheduleFailed, capacity: 800)
        writer.raw(",\"ProcessSchedule\":")
        writer.schedule(schedule)
        writer.raw(",\"Reason\":")
        writer.string(reason)
        return finish(&writer, envelope)
    }

    /// robot.status: `Sessions` [].
    public static func body(_ envelope: EventEnvelopeFields, sessions: [RobotSessionSnapshot]) -> [UInt8] {
        var writer = start(envelope, family: .robotStatus, capacity: 200 + 160 * sessions.count)
        writer.raw(",\"Sessions\":")
        writer.array(sessions) { $0.session($1) }
        return finish(&writer, envelope)
    }

    /// job.created: `StartInfo` object and `Jobs` [] (one element per created
    /// job; all of one request share `batchExecutionKey`).
    public static func body(_ envelope: EventEnvelopeFields, startInfo: JobStartInfo, batchExecutionKey: String,
                            jobs: [JobSnapshot]) -> [UInt8] {
        var writer = start(envelope, family: .jobCreated, capacity: 400 + 700 * jobs.count)
        writer.raw(",\"StartInfo\":")
        writer.startInfo(startInfo)
        writer.raw(",\"Jobs\":")
        writer.array(jobs) { $0.createdJob($1, batchExecutionKey: batchExecutionKey) }
        return finish(&writer, envelope)
    }

    /// job.started/completed/faulted: one `Job` object.
    public static func body(_ envelope: EventEnvelopeFields, job: JobSnapshot) -> [UInt8] {
        var writer = start(envelope, family: .job, capacity: 600 + (job.info?.utf8.count ?? 0))
        writer.raw(",\"Job\":")
        writer.simpleJob(job)
        return finish(&writer, envelope)
    }

    /// job.stopped: `Jobs` [] (a bulk stop is one event).
    public static func body(_ envelope: EventEnvelopeFields, jobs: [JobSnapshot]) -> [UInt8] {
        var writer = start(envelope, family: .jobs, capacity: 200 + 450 * jobs.count)
        writer.raw(",\"Jobs\":")
        writer.array(jobs) { $0.simpleJob($1) }
        return finish(&writer, envelope)
    }

    /// queue.created/updated/deleted: `Queues` [].
    public static func body(_ envelope: EventEnvelopeFields, queues: [QueueSnapshot]) -> [UInt8] {
        var writer = start(envelope, family: .queues, capacity: 200 + 200 * queues.count)
        writer.raw(",\"Queues\":")
        writer.array(queues) { $0.queue($1) }
        return finish(&writer, envelope)
    }

    /// queueItem.added and queueItem.transactionAbandoned: `Queue` object, then
    /// `QueueItems` [] (abandonment is batched).
    public static func body(_ envelope: EventEnvelopeFields, queue: QueueSnapshot,
                            items: [QueueItemSnapshot]) -> [UInt8] {
        var writer = start(envelope, family: .queueItems, capacity: 400 + 600 * items.count)
        writer.raw(",\"Queue\":")
        writer.queue(queue)
        writer.raw(",\"QueueItems\":")
        writer.array(items) { $0.queueItem($1) }
        return finish(&writer, envelope)
    }

    /// queueItem.transactionStarted/Completed/Failed: `QueueItem` object, then `Queue`.
    public static func body(_ envelope: EventEnvelopeFields, queue: QueueSnapshot, item: QueueItemSnapshot) -> [UInt8] {
        var writer = start(envelope, family: .queueItem, capacity: 1000)
        writer.raw(",\"QueueItem\":")
        writer.queueItem(item)
        writer.raw(",\"Queue\":")
        writer.queue(queue)
        return finish(&writer, envelope)
    }

    /// robot.created/updated/deleted: `Robots` [] (a bulk delete is one event).
    public static func body(_ envelope: EventEnvelopeFields, robots: [RobotSnapshot]) -> [UInt8] {
        var writer = start(envelope, family: .robots, capacity: 200 + 500 * robots.count)
        writer.raw(",\"Robots\":")
        writer.array(robots) { $0.robot($1, fields: .definition) }
        return finish(&writer, envelope)
    }

    /// ping: the envelope only, `TenantId, OrganizationUnitId, UserId` always
    /// present (null when unset), as in the seed's Ping response.
    public static func pingBody(_ envelope: EventEnvelopeFields) -> [UInt8] {
        var writer = start(envelope, family: .ping, capacity: 160)
        writer.raw(",\"TenantId\":")
        writer.integer(envelope.tenantId)
        writer.raw(",\"OrganizationUnitId\":")
        writer.optionalInteger(envelope.organizationUnitId)
        writer.raw(",\"UserId\":")
        writer.optionalInteger(envelope.userId)
        writer.raw("}")
        return writer.bytes
    }

    private static func start(_ envelope: EventEnvelopeFields, family: PayloadFamily, capacity: Int) -> JSONWriter {
        precondition(PayloadFamily(envelope.type) == family,
                     "\(envelope.type) is not a \(family) event; use the builder for PayloadFamily(type)")
        var writer = JSONWriter(reservingCapacity: capacity)
        writer.raw("{\"Type\":")
        writer.string(envelope.type.rawValue)
        writer.raw(",\"EventId\":")
        writer.string(envelope.eventId)
        writer.raw(",\"Timestamp\":")
        writer.timestamp(envelope.timestamp)
        return writer
    }

    private static func finish(_ writer: inout JSONWriter, _ envelope: EventEnvelopeFields) -> [UInt8] {
        writer.raw(",\"TenantId\":")
        writer.integer(envelope.tenantId)
        if let folder = envelope.organizationUnitId {
            writer.raw(",\"OrganizationUnitId\":")
            writer.integer(folder)
        }
        if let user = envelope.userId, PayloadFamily.carriesUserId(envelope.type) {
            writer.raw(",\"UserId\":")
            writer.integer(user)
        }
        writer.raw("}")
        return writer.bytes
    }
}
