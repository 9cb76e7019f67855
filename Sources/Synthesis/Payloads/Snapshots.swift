import EventModel

// Entities as Orchestrator serializes them inside webhook events
// (docs/orchestrator-webhooks.md §3.0–3.8). One snapshot type per entity serves
// every event family that carries it; each family writes the subset of fields
// its documented sample shows, in the sample's order. Fields marked (v18) exist
// only in the swagger v18 DTOs: they are optional and written only when set, so
// a snapshot that leaves them nil produces the 2018 documented shape exactly.

public enum JobState: String, Sendable, Hashable, CaseIterable {
    case pending = "Pending", running = "Running", stopping = "Stopping", terminating = "Terminating"
    case faulted = "Faulted", successful = "Successful", stopped = "Stopped"
    case suspended = "Suspended", resumed = "Resumed"
}

public enum QueueItemStatus: String, Sendable, Hashable, CaseIterable {
    case new = "New", inProgress = "InProgress", failed = "Failed", successful = "Successful"
    case abandoned = "Abandoned", retried = "Retried", deleted = "Deleted"
}

public enum QueueItemReviewStatus: String, Sendable, Hashable, CaseIterable {
    case none = "None", inReview = "InReview", verified = "Verified", retried = "Retried"
}

public enum QueueItemPriority: String, Sendable, Hashable, CaseIterable {
    case high = "High", normal = "Normal", low = "Low"
}

public enum RobotSessionState: String, Sendable, Hashable, CaseIterable {
    case available = "Available", busy = "Busy", disconnected = "Disconnected", unknown = "Unknown"
}

/// `Environment{Id, Name}` on a release; `Environments[]{Id, Name, Description}` on a robot.
public struct EnvironmentSnapshot: Sendable, Hashable {
    public var id: Int
    public var name: String
    /// Written only in a robot's `Environments`, and only when set.
    public var description: String?

    public init(id: Int, name: String, description: String? = nil) {
        self.id = id
        self.name = name
        self.description = description
    }
}

/// A robot (WrappedRobotDto). Inside a running job's `Job` only `Id, Name,
/// MachineName` are written; inside a queue item `Id, Name, MachineId,
/// MachineName, Version, UserName, Type, HostingType`; in `job.created` jobs,
/// `robot.*` events and a schedule's `ExecutorRobots` the full object.
public struct RobotSnapshot: Sendable, Hashable {
    public var id: Int
    public var name: String
    public var machineId: Int
    public var machineName: String
    public var description: String?
    public var version: String?
    public var userName: String
    /// `Unattended`, `Attended`, `NonProduction`, … (§3.0 RuntimeType enum).
    public var type: String
    /// `Standard` or `Floating`.
    public var hostingType: String
    /// robot.* events only; `robot.created` shows `[]`.
    public var environments: [EnvironmentSnapshot]?
    /// robot.* events only: free-form settings (`TracingLevel`, `ResolutionWidth`, `*State` flags).
    public var executionSettings: JSONFragment?

    public init(id: Int, name: String, machineId: Int, machineName: String, description: String? = nil,
                version: String? = nil, userName: String, type: String = "Unattended",
                hostingType: String = "Standard", environments: [EnvironmentSnapshot]? = nil,
                executionSettings: JSONFragment? = nil) {
        self.id = id
        self.name = name
        self.machineId = machineId
        self.machineName = machineName
        self.description = description
        self.version = version
        self.userName = userName
        self.type = type
        self.hostingType = hostingType
        self.environments = environments
        self.executionSettings = executionSettings
    }
}

/// A process (a "release", WrappedReleaseDto): the elements of `process.*`
/// `Releases`, and the `Release` of jobs and schedules. Running jobs and
/// schedules write only `Id, Key, ProcessKey`; `job.created` writes all but
/// `Environment`.
public struct ProcessSnapshot: Sendable, Hashable {
    public var id: Int
    public var key: String
    public var processKey: String
    public var processVersion: String
    public var name: String
    public var description: String
    public var isLatestVersion: Bool
    /// Classic folders only; written in `process.*` when set.
    public var environment: EnvironmentSnapshot?
    /// `null` or an object (the 2025 docs say both occur).
    public var inputArguments: JSONFragment

    public init(id: Int, key: String, processKey: String, processVersion: String = "", name: String,
                description: String = "", isLatestVersion: Bool = false,
                environment: EnvironmentSnapshot? = nil, inputArguments: JSONFragment = .null) {
        self.id = id
        self.key = key
        self.processKey = processKey
        self.processVersion = processVersion
        self.name = name
        self.description = description
        self.isLatestVersion = isLatestVersion
        self.environment = environment
        self.inputArguments = inputArguments
    }
}

/// A job through its lifecycle. `job.created` writes it as WrappedJobDto
/// (`Id, Key, State, Source, SourceType, BatchExecutionKey, ReleaseName, Type,
/// Robot, Release, InputArguments, OutputArguments`); `job.started/completed/
/// faulted/stopped` as SimpleJobEventDto (`Id, Key, State, StartTime, EndTime,
/// Info, OutputArguments, Robot{Id, Name, MachineName}, Release{Id, Key, ProcessKey}`).
public struct JobSnapshot: Sendable, Hashable {
    public var id: Int
    /// A lower-case UUID string, the same in every event of the job.
    public var key: String
    public var state: JobState
    /// Set from `job.started` on; written when set.
    public var startTime: Timestamp?
    /// Set on completion/fault/stop; written when set.
    public var endTime: Timestamp?
    /// e.g. "Waiting for execution to start...", "Job completed", the exception
    /// text and stack on a fault, "Job canceled"; written when set.
    public var info: String?
    public var release: ProcessSnapshot
    /// Omitted when nil (the 2025 modern-folder job.created sample has no Robot).
    public var robot: RobotSnapshot?
    /// job.created only.
    public var inputArguments: JSONFragment
    /// `null` while running, `{}` on a fault, the process's outputs on success.
    public var outputArguments: JSONFragment
    /// job.created only: `Manual`, or the schedule/queue trigger's name.
    public var source: String
    /// job.created only: `Manual`, `Schedule`, `Queue`, … (§3.0 SourceType enum).
    public var sourceType: String
    /// job.created only: `Unattended`, `Attended`, `ServerlessGeneric`.
    public var type: String
    /// (v18) written when set, in every job event.
    public var creationTime: Timestamp?
    /// (v18) job.created only, written when set.
    public var hostMachineName: String?

    public init(id: Int, key: String, state: JobState, startTime: Timestamp? = nil, endTime: Timestamp? = nil,
                info: String? = nil, release: ProcessSnapshot, robot: RobotSnapshot? = nil,
                inputArguments: JSONFragment = .null, outputArguments: JSONFragment = .null,
                source: String = "Manual", sourceType: String = "Manual", type: String = "Unattended",
                creationTime: Timestamp? = nil, hostMachineName: String? = nil) {
        self.id = id
        self.key = key
        self.state = state
        self.startTime = startTime
        self.endTime = endTime
        self.info = info
        self.release = release
        self.robot = robot
        self.inputArguments = inputArguments
        self.outputArguments = outputArguments
        self.source = source
        self.sourceType = sourceType
        self.type = type
        self.creationTime = creationTime
        self.hostMachineName = hostMachineName
    }
}

/// `StartInfo` of `job.created`: what the user asked for.
public struct JobStartInfo: Sendable, Hashable {
    public var releaseKey: String
    /// `All`, `Specific`, `RobotCount`, `JobsCount`, `ModernJobsCount`.
    public var strategy: String
    public var robotIds: [Int]
    public var jobsCount: Int
    public var source: String

    public init(releaseKey: String, strategy: String = "Specific", robotIds: [Int] = [], jobsCount: Int = 0,
                source: String = "Manual") {
        self.releaseKey = releaseKey
        self.strategy = strategy
        self.robotIds = robotIds
        self.jobsCount = jobsCount
        self.source = source
    }
}

/// A queue definition (QueueDefinitionEventDto): `Queue` of queue item events,
/// elements of `queue.*` `Queues`.
public struct QueueSnapshot: Sendable, Hashable {
    public var id: Int
    public var name: String
    public var description: String
    public var maxNumberOfRetries: Int
    public var acceptAutomaticallyRetry: Bool
    public var enforceUniqueReference: Bool
    /// (v18) written when set.
    public var key: String?

    public init(id: Int, name: String, description: String = "", maxNumberOfRetries: Int = 0,
                acceptAutomaticallyRetry: Bool = false, enforceUniqueReference: Bool = false, key: String? = nil) {
        self.id = id
        self.name = name
        self.description = description
        self.maxNumberOfRetries = maxNumberOfRetries
        self.acceptAutomaticallyRetry = acceptAutomaticallyRetry
        self.enforceUniqueReference = enforceUniqueReference
        self.key = key
    }
}

/// `ProcessingException` of a failed (or abandoned-after-failure) queue item.
public struct ProcessingException: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Not retried automatically.
        case business = "BusinessException"
        /// Retried while the queue allows (`AcceptAutomaticallyRetry`, `MaxNumberOfRetries`).
        case application = "ApplicationException"
    }

    public var reason: String
    public var details: String
    public var type: Kind

    public init(reason: String, details: String, type: Kind) {
        self.reason = reason
        self.details = details
        self.type = type
    }
}

/// A queue item (QueueItemSimpleEventDto). All retries of one item share `key`;
/// each retry has a new `id`, `retryNumber` + 1 and (v18) `ancestorId`.
public struct QueueItemSnapshot: Sendable, Hashable {
    public var id: Int
    public var key: String
    public var queueDefinitionId: Int
    public var status: QueueItemStatus
    public var reviewStatus: QueueItemReviewStatus
    /// Written when set (failures; an abandoned item may keep an old one).
    public var processingException: ProcessingException?
    public var priority: QueueItemPriority
    public var creationTime: Timestamp
    public var startProcessing: Timestamp?
    public var endProcessing: Timestamp?
    public var secondsInPreviousAttempts: Int
    public var retryNumber: Int
    /// Written when set (once a robot has processed the item).
    public var robot: RobotSnapshot?
    public var specificContent: JSONFragment
    /// Written when set (completion; `{}` possible).
    public var output: JSONFragment?
    /// (v18) written when set.
    public var reference: String?
    /// (v18) the `Id` of the item this one retries; written when set.
    public var ancestorId: Int?

    public init(id: Int, key: String, queueDefinitionId: Int, status: QueueItemStatus,
                reviewStatus: QueueItemReviewStatus = .none, processingException: ProcessingException? = nil,
                priority: QueueItemPriority = .normal, creationTime: Timestamp, startProcessing: Timestamp? = nil,
                endProcessing: Timestamp? = nil, secondsInPreviousAttempts: Int = 0, retryNumber: Int = 0,
                robot: RobotSnapshot? = nil, specificContent: JSONFragment = .emptyObject,
                output: JSONFragment? = nil, reference: String? = nil, ancestorId: Int? = nil) {
        self.id = id
        self.key = key
        self.queueDefinitionId = queueDefinitionId
        self.status = status
        self.reviewStatus = reviewStatus
        self.processingException = processingException
        self.priority = priority
        self.creationTime = creationTime
        self.startProcessing = startProcessing
        self.endProcessing = endProcessing
        self.secondsInPreviousAttempts = secondsInPreviousAttempts
        self.retryNumber = retryNumber
        self.robot = robot
        self.specificContent = specificContent
        self.output = output
        self.reference = reference
        self.ancestorId = ancestorId
    }
}

/// One element of `robot.status` `Sessions`.
public struct RobotSessionSnapshot: Sendable, Hashable {
    public var sessionId: Int
    public var robotId: Int
    public var hostMachineName: String
    public var state: RobotSessionState
    public var reportingTime: Timestamp
    public var isUnresponsive: Bool

    public init(sessionId: Int, robotId: Int, hostMachineName: String, state: RobotSessionState,
                reportingTime: Timestamp, isUnresponsive: Bool = false) {
        self.sessionId = sessionId
        self.robotId = robotId
        self.hostMachineName = hostMachineName
        self.state = state
        self.reportingTime = reportingTime
        self.isUnresponsive = isUnresponsive
    }
}

/// `ProcessSchedule` of `schedule.failed` (a trigger).
public struct ScheduleSnapshot: Sendable, Hashable {
    public var id: Int
    public var name: String
    public var enabled: Bool
    /// A string in the documented sample, though it holds a number.
    public var environmentId: String
    public var environmentName: String
    /// Quartz cron, e.g. `5/20 * * * * ? *`.
    public var startProcessCron: String
    /// `All`, `Specific`, `RobotCount`, `JobsCount`, `ModernJobsCount`.
    public var startStrategy: String
    public var externalJobKey: String
    public var timeZoneId: String
    public var timeZoneIana: String
    public var useCalendar: Bool
    /// Written as `{Id, Key, ProcessKey}`.
    public var release: ProcessSnapshot
    public var executorRobots: [RobotSnapshot]
    public var inputArguments: JSONFragment

    public init(id: Int, name: String, enabled: Bool = true, environmentId: String = "", environmentName: String = "",
                startProcessCron: String, startStrategy: String = "Specific", externalJobKey: String,
                timeZoneId: String = "UTC", timeZoneIana: String = "Etc/UTC", useCalendar: Bool = false,
                release: ProcessSnapshot, executorRobots: [RobotSnapshot] = [], inputArguments: JSONFragment = .null) {
        self.id = id
        self.name = name
        self.enabled = enabled
        self.environmentId = environmentId
        self.environmentName = environmentName
        self.startProcessCron = startProcessCron
        self.startStrategy = startStrategy
        self.externalJobKey = externalJobKey
        self.timeZoneId = timeZoneId
        self.timeZoneIana = timeZoneIana
        self.useCalendar = useCalendar
        self.release = release
        self.executorRobots = executorRobots
        self.inputArguments = inputArguments
    }
}
