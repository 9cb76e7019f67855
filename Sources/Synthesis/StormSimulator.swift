import EventModel
import Primitives

/// One synthesized webhook event.
public struct SynthesizedEvent: Sendable, Equatable {
    /// The event's `Timestamp` on the storm clock (start + storm offset).
    public let time: Timestamp
    public let type: String
    /// The body's `EventId`, so writers need not scan the body for it.
    public let eventId: String
    /// The exact JSON body.
    public let body: [UInt8]
    /// The job or queue item the event is about; nil for other events.
    public let entity: EntityKey?
    /// True for the first event of an arrival (its `job.created`, or the first
    /// folder's `queueItem.added` of an item's first attempt): count these per
    /// second for the arrival rate; every event counts towards the emitted rate.
    public let startsArrival: Bool
}

extension Shard {
    /// Whether `event` is this shard's: routed by its entity's `Key`, else its
    /// `EventId`, as `routingKey(ofEventBody:type:)` finds them in the body.
    public func owns(_ event: SynthesizedEvent) -> Bool {
        owns(routingKey: (event.entity?.key ?? event.eventId).utf8)
    }
}

/// Command-line overrides of a scenario's run.
public struct StormOptions: Sendable, Equatable {
    /// Replaces the scenario's `seed`.
    public var seed: UInt64?
    /// The storm clock's origin: the first load stage begins here.
    public var start: Timestamp
    /// Replaces the scenario's `time_scale`; must be > 0.
    public var timeScale: Double?
    /// Multiplies every load stage's rate (not background rates); must be >= 0.
    public var loadScale: Double
    /// A hard cap: no event at or after `start + duration`; must be > 0.
    public var duration: Duration?

    public init(start: Timestamp, seed: UInt64? = nil, timeScale: Double? = nil, loadScale: Double = 1,
                duration: Duration? = nil) {
        self.start = start
        self.seed = seed
        self.timeScale = timeScale
        self.loadScale = loadScale
        self.duration = duration
    }
}

/// Turns a scenario into a deterministic, time-ordered stream of events.
///
/// Clocks. Events carry storm time: `start` plus an offset. Arrivals follow the
/// load stages and background streams their rates directly on that clock.
/// Lifecycle durations (`pending`, `run`, `wait`, `work`) are simulated time:
/// `time_scale` simulated seconds pass per storm second, so each drawn duration
/// is divided by it (a 90 s run at time_scale 60 lasts 1.5 s of the storm). The
/// event lag (transition -> `Timestamp`) is delivery latency and is not scaled.
/// `StartTime`/`EndTime` and the other entity times are the transitions' storm
/// times, so each event's `Timestamp` is at or after the entity times it shows.
///
/// Order and memory. Work waits in a min-heap keyed by (storm time, insertion
/// order): one entry per entity in flight, one for the next arrival and one per
/// background stream. Heap entries are small; an entity's state lives in a
/// reused slot, so reordering the heap never copies snapshots. Each pop emits that entity's next event (once per folder
/// for a queue item) and schedules its following one at or after it, so events
/// come out in nondecreasing time, in lifecycle order per entity. Nothing is
/// materialized ahead; memory follows the entities in flight.
///
/// Determinism. Independent SplitMix64 streams, all derived from the seed, drive
/// arrivals, lifecycles, identifiers and background events; the heap breaks
/// time ties by insertion order. Same scenario, seed, options => same events,
/// byte for byte.
public struct StormSimulator: Sequence, IteratorProtocol, Sendable {
    public let scenario: Scenario
    public let options: StormOptions
    /// Arrivals so far (including those whose first event is still pending).
    public private(set) var arrivals = 0
    /// Events returned so far.
    public private(set) var emitted = 0
    /// Entries waiting in the agenda: entities in flight, the next arrival, background streams (the memory bound).
    public var pendingWork: Int { agenda.count }

    private let fleet: StormFleet
    private let curve: ArrivalCurve
    private let timeScale: Double
    private let startMicros: Int64
    /// Arrivals and background events stop here: the load profile's end or the cap.
    private let horizonMicros: Int64
    /// No event at or after this.
    private let capMicros: Int64?
    private let flowWeights: [Double]

    private var arrivalRandom: SplitMix64
    private var lifecycleRandom: SplitMix64
    private var identityRandom: SplitMix64
    private var backgroundRandom: SplitMix64
    private var eventIds: EventIdGenerator
    /// Unit-rate exponential sum: arrival n is due where the curve's cumulative count reaches it.
    private var cumulativeArrivals = 0.0
    private var nextJobId = 1
    private var nextItemId = 1

    private var agenda = EventHeap<Work>()
    /// The state of each entity in flight, by the slot its agenda entry names; freed slots are reused.
    private var inFlight: [Entity?] = []
    private var freeSlots: [Int32] = []
    /// Events of the current pop not yet returned (a fanned-out queue item event).
    private var ready: [SynthesizedEvent] = []
    private var readIndex = 0

    public init(scenario: Scenario, options: StormOptions) {
        precondition(options.timeScale.map { $0 > 0 } ?? true, "timeScale must be > 0")
        precondition(options.loadScale >= 0, "loadScale must be >= 0")
        precondition(options.duration.map { $0 > .zero } ?? true, "duration must be > 0")
        self.scenario = scenario
        self.options = options
        timeScale = options.timeScale ?? scenario.timeScale
        curve = scenario.arrivalCurve(loadScale: options.loadScale)
        let start = options.start.microsecondsSinceEpoch
        startMicros = start
        let cap = options.duration.map { start + $0.wholeMicroseconds }
        capMicros = cap
        horizonMicros = Swift.min(startMicros + scenario.loadDuration.wholeMicroseconds, cap ?? .max)
        flowWeights = scenario.flows.map(\.weight)

        var root = SplitMix64(seed: options.seed ?? scenario.seed)
        var fleetRandom = SplitMix64(seed: root.next())
        arrivalRandom = SplitMix64(seed: root.next())
        lifecycleRandom = SplitMix64(seed: root.next())
        identityRandom = SplitMix64(seed: root.next())
        backgroundRandom = SplitMix64(seed: root.next())
        fleet = StormFleet(scenario.fleet, random: &fleetRandom)
        eventIds = EventIdGenerator(style: scenario.eventIdStyle, using: &identityRandom)

        if !scenario.flows.isEmpty { scheduleNextArrival() }
        for index in scenario.background.indices { scheduleBackground(index, after: startMicros) }
    }

    public mutating func next() -> SynthesizedEvent? {
        while readIndex == ready.count {
            ready.removeAll(keepingCapacity: true)
            readIndex = 0
            guard let (time, work) = agenda.popMin() else { return nil }
            if let capMicros, time >= capMicros {
                agenda.removeAll()
                inFlight.removeAll()
                return nil
            }
            perform(work, at: time)
        }
        defer { readIndex += 1 }
        emitted += 1
        return ready[readIndex]
    }

    // MARK: - Agenda

    private enum Work: Sendable {
        case arrival
        case background(Int32)
        case entity(slot: Int32)
    }

    private enum Entity: Sendable {
        case job(JobInFlight)
        case item(ItemInFlight)
    }

    private struct JobInFlight: Sendable {
        var flow: Scenario.JobFlow
        var snapshot: JobSnapshot
        var phase: EventType
        /// Storm time of the transition the next event reports.
        var transition: Int64
    }

    private struct ItemInFlight: Sendable {
        var flow: Scenario.QueueItemFlow
        var snapshot: QueueItemSnapshot
        var phase: EventType
        var exception: ProcessingException.Kind?
        var transition: Int64
        var isFirstAttempt: Bool
    }

    private mutating func perform(_ work: Work, at time: Int64) {
        switch work {
        case .arrival:
            arrive(at: time)
            scheduleNextArrival()
        case .background(let index):
            emitBackground(scenario.background[Int(index)].type, at: time)
            scheduleBackground(Int(index), after: time)
        case .entity(let slot):
            freeSlots.append(slot)
            switch inFlight[Int(slot)].take() {
            case .job(let job)?: advance(job, at: time)
            case .item(let item)?: advance(item, at: time)
            case nil: preconditionFailure("agenda names an empty slot")
            }
        }
    }

    private mutating func schedule(_ entity: Entity, at time: Int64) {
        let slot: Int32
        if let free = freeSlots.popLast() {
            slot = free
            inFlight[Int(slot)] = entity
        } else {
            slot = Int32(inFlight.count)
            inFlight.append(entity)
        }
        agenda.push(.entity(slot: slot), at: time)
    }

    private mutating func scheduleNextArrival() {
        cumulativeArrivals += arrivalRandom.nextExponential()
        guard let offset = curve.time(atCumulativeCount: cumulativeArrivals) else { return }
        let time = startMicros + offset.wholeMicroseconds
        if time < horizonMicros { agenda.push(.arrival, at: time) }
    }

    private mutating func scheduleBackground(_ index: Int, after time: Int64) {
        let gap = backgroundRandom.nextExponential() / scenario.background[index].rate
        let next = time + Self.micros(gap)
        if next < horizonMicros { agenda.push(.background(Int32(index)), at: next) }
    }

    /// Schedules an entity's next event: its transition plus the event lag, never before its previous event.
    private mutating func eventTime(transition: Int64, previousEvent: Int64) -> Int64 {
        Swift.max(transition + Self.micros(scenario.eventLag.sample(using: &lifecycleRandom)), previousEvent)
    }

    /// A drawn lifecycle duration, scaled onto the storm clock.
    private mutating func scaled(_ distribution: Distribution) -> Int64 {
        Self.micros(distribution.sample(using: &lifecycleRandom) / timeScale)
    }

    // MARK: - Lifecycles

    private mutating func arrive(at time: Int64) {
        arrivals += 1
        let weights = flowWeights
        let flow = scenario.flows[pick(weights.span, using: &arrivalRandom)]
        switch flow.kind {
        case .job(let jobFlow):
            let job = JobSnapshot(id: takeJobId(), key: Identifiers.uuid(using: &identityRandom), state: .pending,
                                  release: fleet.processes[jobFlow.process])
            let first = JobInFlight(flow: jobFlow, snapshot: job, phase: .jobCreated, transition: time)
            schedule(.job(first), at: eventTime(transition: time, previousEvent: time))
        case .queueItem(let itemFlow):
            let id = takeItemId()
            let item = QueueItemSnapshot(id: id, key: Identifiers.uuid(using: &identityRandom),
                                         queueDefinitionId: fleet.queues[itemFlow.queue].id, status: .new,
                                         creationTime: Timestamp(microsecondsSinceEpoch: time),
                                         specificContent: JSONFragment(["Flow": .string(flow.name), "ItemNumber": .integer(id)]))
            let first = ItemInFlight(flow: itemFlow, snapshot: item, phase: .queueItemAdded, exception: nil,
                                     transition: time, isFirstAttempt: true)
            schedule(.item(first), at: eventTime(transition: time, previousEvent: time))
        }
    }

    private mutating func advance(_ job: consuming JobInFlight, at time: Int64) {
        let transition = Timestamp(microsecondsSinceEpoch: job.transition)
        switch job.phase {
        case .jobCreated:
            emitJob(.jobCreated, job.snapshot, at: time, startsArrival: true)
            job.phase = .jobStarted
            job.transition += scaled(job.flow.pending)
        case .jobStarted:
            job.snapshot.state = .running
            job.snapshot.startTime = transition
            job.snapshot.info = "Waiting for execution to start..."
            job.snapshot.robot = fleet.robots[Int(lifecycleRandom.next() % UInt64(fleet.robots.count))]
            emitJob(.jobStarted, job.snapshot, at: time, startsArrival: false)
            let outcomes = job.flow.outcomes
            let weights: InlineArray<3, Double> = [outcomes.completed, outcomes.faulted, outcomes.stopped]
            job.phase = Self.jobOutcomes[pick(weights.span, using: &lifecycleRandom)]
            job.transition += scaled(job.flow.run)
        default:
            finish(&job.snapshot, as: job.phase, at: transition)
            emitJob(job.phase, job.snapshot, at: time, startsArrival: false)
            return
        }
        schedule(.job(job), at: eventTime(transition: job.transition, previousEvent: time))
    }

    /// Sets a job's terminal state, end time, info and outputs.
    private func finish(_ job: inout JobSnapshot, as type: EventType, at time: Timestamp) {
        job.endTime = time
        switch type {
        case .jobCompleted:
            (job.state, job.info, job.outputArguments) = (.successful, "Job completed", Self.jobOutput)
        case .jobFaulted:
            (job.state, job.info, job.outputArguments) = (.faulted, Self.faultInfo, .emptyObject)
        default:
            (job.state, job.info) = (.stopped, "Job canceled")
        }
    }

    private mutating func advance(_ item: consuming ItemInFlight, at time: Int64) {
        let transition = Timestamp(microsecondsSinceEpoch: item.transition)
        let queueIndex = item.flow.queue
        switch item.phase {
        case .queueItemAdded:
            emitItem(.queueItemAdded, item.snapshot, queue: queueIndex, at: time, startsArrival: item.isFirstAttempt)
            item.phase = .queueItemTransactionStarted
            item.transition += scaled(item.flow.wait)
        case .queueItemTransactionStarted:
            item.snapshot.status = .inProgress
            item.snapshot.startProcessing = transition
            item.snapshot.robot = fleet.robots[Int(lifecycleRandom.next() % UInt64(fleet.robots.count))]
            emitItem(.queueItemTransactionStarted, item.snapshot, queue: queueIndex, at: time, startsArrival: false)
            let outcomes = item.flow.outcomes
            let weights: InlineArray<4, Double> = [outcomes.completed, outcomes.failedBusiness,
                                                   outcomes.failedApplication, outcomes.abandoned]
            switch pick(weights.span, using: &lifecycleRandom) {
            case 0: (item.phase, item.exception) = (.queueItemTransactionCompleted, nil)
            case 1: (item.phase, item.exception) = (.queueItemTransactionFailed, .business)
            case 2: (item.phase, item.exception) = (.queueItemTransactionFailed, .application)
            default: (item.phase, item.exception) = (.queueItemTransactionAbandoned, nil)
            }
            item.transition += scaled(item.flow.work)
        default:
            let outcome = item.phase
            switch (outcome, item.exception) {
            case (.queueItemTransactionCompleted, _):
                (item.snapshot.status, item.snapshot.endProcessing, item.snapshot.output) = (.successful, transition, Self.itemOutput)
            case (.queueItemTransactionFailed, let kind?):
                (item.snapshot.status, item.snapshot.endProcessing) = (.failed, transition)
                item.snapshot.processingException = kind == .business ? Self.businessException : Self.applicationException
            default:
                item.snapshot.status = .abandoned
            }
            emitItem(outcome, item.snapshot, queue: queueIndex, at: time, startsArrival: false)
            let queue = scenario.fleet.queues[queueIndex]
            let isRetryable = item.exception == .application || (outcome == .queueItemTransactionAbandoned && queue.retryAbandoned)
            guard isRetryable, item.snapshot.retryNumber < queue.maxRetries else { return }
            // §5.2: the clone keeps the Key, gets a new Id, RetryNumber + 1 and AncestorId = the old Id.
            let previous = item.snapshot
            let worked = (previous.startProcessing.map { item.transition - $0.microsecondsSinceEpoch } ?? 0) / 1_000_000
            item.snapshot = QueueItemSnapshot(
                id: takeItemId(), key: previous.key, queueDefinitionId: previous.queueDefinitionId, status: .new,
                creationTime: transition, secondsInPreviousAttempts: previous.secondsInPreviousAttempts + Int(worked),
                retryNumber: previous.retryNumber + 1, specificContent: previous.specificContent, ancestorId: previous.id)
            (item.phase, item.exception, item.isFirstAttempt) = (.queueItemAdded, nil, false)
        }
        schedule(.item(item), at: eventTime(transition: item.transition, previousEvent: time))
    }

    // MARK: - Emission

    private mutating func envelope(_ type: EventType, at time: Int64, folder: Int?) -> EventEnvelopeFields {
        EventEnvelopeFields(type: type, eventId: eventIds.next(using: &identityRandom),
                            timestamp: Timestamp(microsecondsSinceEpoch: time), tenantId: scenario.tenant.id,
                            organizationUnitId: folder, userId: scenario.tenant.userId)
    }

    private mutating func emitJob(_ type: EventType, _ job: JobSnapshot, at time: Int64, startsArrival: Bool) {
        let envelope = envelope(type, at: time, folder: scenario.tenant.folderId)
        let body: [UInt8]
        switch type {
        case .jobCreated:
            let startInfo = JobStartInfo(releaseKey: job.release.key, strategy: "ModernJobsCount", jobsCount: 1)
            body = EventPayloads.body(envelope, startInfo: startInfo,
                                      batchExecutionKey: Identifiers.uuid(using: &identityRandom), jobs: [job])
        case .jobStopped:
            body = EventPayloads.body(envelope, jobs: [job])
        default:
            body = EventPayloads.body(envelope, job: job)
        }
        ready.append(SynthesizedEvent(time: envelope.timestamp, type: type.rawValue, eventId: envelope.eventId, body: body,
                                      entity: EntityKey(kind: .job, key: job.key), startsArrival: startsArrival))
    }

    /// One event per folder the queue is linked into (§1.5), each with its own EventId.
    private mutating func emitItem(_ type: EventType, _ item: QueueItemSnapshot, queue: Int, at time: Int64,
                                   startsArrival: Bool) {
        let entity = EntityKey(kind: .queueItem, key: item.key)
        for (index, folder) in scenario.fleet.queues[queue].folderIds.enumerated() {
            let envelope = envelope(type, at: time, folder: folder)
            let body: [UInt8]
            switch type {
            case .queueItemAdded, .queueItemTransactionAbandoned:
                body = EventPayloads.body(envelope, queue: fleet.queues[queue], items: [item])
            default:
                body = EventPayloads.body(envelope, queue: fleet.queues[queue], item: item)
            }
            ready.append(SynthesizedEvent(time: envelope.timestamp, type: type.rawValue, eventId: envelope.eventId, body: body,
                                          entity: entity,
                                          startsArrival: startsArrival && index == 0))
        }
    }

    /// One event of a background stream, about a fleet entity drawn at random
    /// (job and queue item types: a fresh entity seen only in this event).
    private mutating func emitBackground(_ type: EventType, at time: Int64) {
        let now = Timestamp(microsecondsSinceEpoch: time)
        let folder = scenario.tenant.folderId
        switch EventCatalog.group(of: type) {
        case .process:
            let process = randomElement(fleet.processes)
            let envelope = envelope(type, at: time, folder: nil)
            append(envelope, EventPayloads.body(envelope, releases: [process]))
        case .schedule:
            let schedule = randomElement(fleet.schedules)
            let envelope = envelope(type, at: time, folder: folder)
            append(envelope, EventPayloads.body(envelope, schedule: schedule,
                                                reason: "Robots already have pending jobs for this process"))
        case .robot where type == .robotStatus:
            let robot = randomElement(fleet.robots)
            let weights: InlineArray<3, Double> = [0.45, 0.45, 0.1]
            let state = Self.robotStates[pick(weights.span, using: &backgroundRandom)]
            let session = RobotSessionSnapshot(sessionId: 9_000 + robot.id, robotId: robot.id, hostMachineName: robot.machineName,
                                               state: state, reportingTime: now, isUnresponsive: state == .disconnected)
            let envelope = envelope(type, at: time, folder: folder)
            append(envelope, EventPayloads.body(envelope, sessions: [session]))
        case .robot:
            var robot = randomElement(fleet.robots)
            robot.environments = []
            let envelope = envelope(type, at: time, folder: nil)
            append(envelope, EventPayloads.body(envelope, robots: [robot]))
        case .queue:
            let queue = randomElement(fleet.queues)
            let envelope = envelope(type, at: time, folder: nil)
            append(envelope, EventPayloads.body(envelope, queues: [queue]))
        case .job:
            emitLoneJob(type, at: time)
        case .queueItem:
            emitLoneItem(type, at: time)
        default:
            let envelope = envelope(type, at: time, folder: nil)
            append(envelope, EventPayloads.pingBody(envelope))
        }
    }

    private mutating func emitLoneJob(_ type: EventType, at time: Int64) {
        let begun = Timestamp(microsecondsSinceEpoch: time - Self.micros(60 * backgroundRandom.nextUnit()))
        var job = JobSnapshot(id: takeJobId(), key: Identifiers.uuid(using: &identityRandom), state: .pending,
                              release: randomElement(fleet.processes))
        if type != .jobCreated {
            (job.state, job.startTime, job.info) = (.running, begun, "Waiting for execution to start...")
            job.robot = randomElement(fleet.robots)
        }
        if Self.jobOutcomes.contains(type) {
            finish(&job, as: type, at: Timestamp(microsecondsSinceEpoch: time))
        }
        emitJob(type, job, at: time, startsArrival: false)
    }

    private mutating func emitLoneItem(_ type: EventType, at time: Int64) {
        let queue = Int(backgroundRandom.next() % UInt64(fleet.queues.count))
        let begun = Timestamp(microsecondsSinceEpoch: time - Self.micros(60 * backgroundRandom.nextUnit()))
        var item = QueueItemSnapshot(id: takeItemId(), key: Identifiers.uuid(using: &identityRandom),
                                     queueDefinitionId: fleet.queues[queue].id, status: .new, creationTime: begun)
        if type != .queueItemAdded {
            (item.status, item.startProcessing) = (.inProgress, begun)
            item.robot = randomElement(fleet.robots)
        }
        switch type {
        case .queueItemTransactionCompleted:
            (item.status, item.endProcessing, item.output) = (.successful, Timestamp(microsecondsSinceEpoch: time), Self.itemOutput)
        case .queueItemTransactionFailed:
            (item.status, item.endProcessing, item.processingException) =
                (.failed, Timestamp(microsecondsSinceEpoch: time), Self.applicationException)
        case .queueItemTransactionAbandoned:
            item.status = .abandoned
        default:
            break
        }
        emitItem(type, item, queue: queue, at: time, startsArrival: false)
    }

    private mutating func append(_ envelope: EventEnvelopeFields, _ body: [UInt8]) {
        ready.append(SynthesizedEvent(time: envelope.timestamp, type: envelope.type.rawValue, eventId: envelope.eventId,
                                      body: body, entity: nil, startsArrival: false))
    }

    // MARK: - Helpers

    private mutating func takeJobId() -> Int {
        defer { nextJobId += 1 }
        return nextJobId
    }

    private mutating func takeItemId() -> Int {
        defer { nextItemId += 1 }
        return nextItemId
    }

    private mutating func randomElement<Element>(_ elements: [Element]) -> Element {
        elements[Int(backgroundRandom.next() % UInt64(elements.count))]
    }

    /// An index drawn with probability proportional to its weight.
    /// A span, so that fixed sets of weights can sit on the stack (an
    /// `InlineArray`) instead of allocating an array per draw.
    private func pick(_ weights: Span<Double>, using random: inout SplitMix64) -> Int {
        var total = 0.0
        for index in weights.indices { total += weights[index] }
        var remaining = random.nextUnit() * total
        var lastPositive = 0
        for index in weights.indices where weights[index] > 0 {
            if remaining < weights[index] { return index }
            remaining -= weights[index]
            lastPositive = index
        }
        // Rounding can leave a sliver past the last weight: it belongs to the last positive one.
        return lastPositive
    }

    /// Seconds as microseconds, clamped to a century: a heavy-tailed draw
    /// must not overflow the clock.
    private static func micros(_ seconds: Double) -> Int64 {
        Int64((Swift.min(Swift.max(seconds, 0), 100 * 365 * 86_400) * 1e6).rounded())
    }

    static let jobOutcomes: [EventType] = [.jobCompleted, .jobFaulted, .jobStopped]
    static let robotStates: [RobotSessionState] = [.available, .busy, .disconnected]
    static let jobOutput = JSONFragment(["Result": "Success"])
    static let itemOutput = JSONFragment(["Status": "Processed"])
    static let faultInfo = "System.InvalidOperationException: The target element was not found (simulated fault).\n"
        + "   at UiPath.Core.Activities.Click.ExecuteAsync(AsyncCodeActivityContext context, CancellationToken cancellationToken)"
    static let businessException = ProcessingException(
        reason: "Invalid input data", details: "BusinessRuleException: the item failed a business rule (simulated)", type: .business)
    static let applicationException = ProcessingException(
        reason: "Application not responding",
        details: "System.TimeoutException: the target application did not respond in time (simulated)", type: .application)
}

