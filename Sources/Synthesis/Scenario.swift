// Synthesis: scenario model, lifecycles, seeded generator -> events.
//
// A scenario (docs/scenarios.md, the file format's reference) is
// parsed once into the values below and validated completely before anything
// is generated, so a simulator never meets an impossible weight or a flow
// naming a missing queue. All times in the model are simulated (scenario) time;
// how they map onto the storm's clock is StormSimulator's business.
import EventModel
import Primitives

/// A validated storm description.
public struct Scenario: Sendable, Equatable {
    public var name: String
    public var description: String?
    /// The default seed; `--seed` overrides it.
    public var seed: UInt64
    public var tenant: Tenant
    /// Simulated seconds per storm second for lifecycle durations (see StormSimulator).
    public var timeScale: Double
    public var eventIdStyle: EventIdStyle
    /// Delay from an entity's transition to its event's `Timestamp` (§5.1: typically 10–50 ms); storm time, not scaled.
    public var eventLag: Distribution
    public var fleet: Fleet
    public var flows: [Flow]
    public var load: [LoadStage]
    public var background: [BackgroundStream]
    /// The file it was read from, for messages.
    public var file: String

    public init(name: String, description: String? = nil, seed: UInt64 = Self.defaultSeed,
                tenant: Tenant = Tenant(), timeScale: Double = 1, eventIdStyle: EventIdStyle = .numeric,
                eventLag: Distribution = Self.defaultEventLag, fleet: Fleet, flows: [Flow], load: [LoadStage],
                background: [BackgroundStream] = [], file: String = "<scenario>") {
        self.name = name
        self.description = description
        self.seed = seed
        self.tenant = tenant
        self.timeScale = timeScale
        self.eventIdStyle = eventIdStyle
        self.eventLag = eventLag
        self.fleet = fleet
        self.flows = flows
        self.load = load
        self.background = background
        self.file = file
    }

    public static let defaultSeed: UInt64 = 1
    public static let defaultEventLag = Distribution.uniform(min: .milliseconds(10), max: .milliseconds(50))

    public struct Tenant: Sendable, Equatable {
        public var id: Int
        /// The folder (`OrganizationUnitId`) of jobs and of queues without their own folders.
        public var folderId: Int
        /// The `UserId` of user-caused events.
        public var userId: Int

        public init(id: Int = 1, folderId: Int = 1, userId: Int = 1) {
            self.id = id
            self.folderId = folderId
            self.userId = userId
        }
    }

    public struct Fleet: Sendable, Equatable {
        public var robots: Robots
        public var processes: [Process]
        public var queues: [Queue]

        public init(robots: Robots = Robots(), processes: [Process] = [], queues: [Queue] = []) {
            self.robots = robots
            self.processes = processes
            self.queues = queues
        }
    }

    public struct Robots: Sendable, Equatable {
        public var count: Int
        /// Robot names are `<prefix>-<n>`, n from 1.
        public var prefix: String

        public init(count: Int = 10, prefix: String = "robot") {
            self.count = count
            self.prefix = prefix
        }
    }

    public struct Process: Sendable, Equatable {
        public var name: String
        public init(name: String) { self.name = name }
    }

    public struct Queue: Sendable, Equatable {
        public var name: String
        /// `MaxNumberOfRetries`: automatic retries of an item after an application failure (or abandonment).
        public var maxRetries: Int
        /// Whether abandoned items are retried like application failures (§5.2 says Orchestrator does).
        public var retryAbandoned: Bool
        /// The folders the queue is linked into; each queue item event is emitted once per folder (§1.5).
        public var folderIds: [Int]

        public init(name: String, maxRetries: Int = 0, retryAbandoned: Bool = true, folderIds: [Int]) {
            self.name = name
            self.maxRetries = maxRetries
            self.retryAbandoned = retryAbandoned
            self.folderIds = folderIds
        }
    }

    /// What one arrival turns into.
    public struct Flow: Sendable, Equatable {
        public var name: String
        public var weight: Double
        public var kind: Kind

        public init(name: String, weight: Double = 1, kind: Kind) {
            self.name = name
            self.weight = weight
            self.kind = kind
        }

        public enum Kind: Sendable, Equatable {
            case job(JobFlow)
            case queueItem(QueueItemFlow)
        }
    }

    public struct JobFlow: Sendable, Equatable {
        /// Index into `fleet.processes`.
        public var process: Int
        /// created -> started.
        public var pending: Distribution
        /// started -> completed | faulted | stopped.
        public var run: Distribution
        public var outcomes: JobOutcomes

        public init(process: Int, pending: Distribution = .constant(.seconds(1)),
                    run: Distribution = .constant(.seconds(60)), outcomes: JobOutcomes = JobOutcomes()) {
            self.process = process
            self.pending = pending
            self.run = run
            self.outcomes = outcomes
        }
    }

    public struct JobOutcomes: Sendable, Equatable {
        public var completed: Double
        public var faulted: Double
        public var stopped: Double

        public init(completed: Double = 1, faulted: Double = 0, stopped: Double = 0) {
            self.completed = completed
            self.faulted = faulted
            self.stopped = stopped
        }
    }

    public struct QueueItemFlow: Sendable, Equatable {
        /// Index into `fleet.queues`.
        public var queue: Int
        /// added -> transactionStarted.
        public var wait: Distribution
        /// transactionStarted -> outcome.
        public var work: Distribution
        public var outcomes: QueueItemOutcomes

        public init(queue: Int, wait: Distribution = .constant(.seconds(1)),
                    work: Distribution = .constant(.seconds(30)), outcomes: QueueItemOutcomes = QueueItemOutcomes()) {
            self.queue = queue
            self.wait = wait
            self.work = work
            self.outcomes = outcomes
        }
    }

    public struct QueueItemOutcomes: Sendable, Equatable {
        public var completed: Double
        public var failedBusiness: Double
        public var failedApplication: Double
        public var abandoned: Double

        public init(completed: Double = 1, failedBusiness: Double = 0, failedApplication: Double = 0, abandoned: Double = 0) {
            self.completed = completed
            self.failedBusiness = failedBusiness
            self.failedApplication = failedApplication
            self.abandoned = abandoned
        }
    }

    /// One stage of the arrival-rate profile: the rate moves linearly from the
    /// previous stage's rate (0 before the first) to `rate` over `duration`.
    public struct LoadStage: Sendable, Equatable {
        public var duration: Duration
        /// Arrivals per second at the end of the stage.
        public var rate: Double

        public init(duration: Duration, rate: Double) {
            self.duration = duration
            self.rate = rate
        }
    }

    /// An independent Poisson stream of one event type, for the length of the load profile.
    public struct BackgroundStream: Sendable, Equatable {
        public var type: EventType
        /// Events per second.
        public var rate: Double

        public init(type: EventType, rate: Double) {
            self.type = type
            self.rate = rate
        }
    }
}

extension Scenario {
    /// The arrival-rate profile as EventModel's curve, every rate multiplied by `loadScale`.
    public func arrivalCurve(loadScale: Double = 1) -> ArrivalCurve {
        ArrivalCurve(startRate: 0, stages: load.map { .init(duration: $0.duration, targetRate: $0.rate * loadScale) })
    }

    /// The load profile's total length.
    public var loadDuration: Duration { load.reduce(.zero) { $0 + $1.duration } }
}
