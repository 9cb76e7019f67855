import EventModel

// The entity writers behind `EventPayloads`. Keys are StaticString literals and
// fields are written in the documented samples' order; optional fields are
// written only when set.

extension JSONWriter {
    /// Orchestrator's style: UTC, .NET's 7 fractional digits with trailing
    /// zeros trimmed (and the dot too when nothing is left). `Timestamp` holds
    /// microseconds, so the seventh digit is always a trimmed zero. Formatted
    /// in place: a storm writes several per event.
    mutating func timestamp(_ time: Timestamp) {
        var fraction = time.microsecondOfSecond
        write(reserving: 30) { out in
            out[0] = 0x22
            time.writeDateAndTime(to: out + 1)
            var end = 20
            if fraction > 0 {
                var digits = 6
                while fraction % 10 == 0 {
                    fraction /= 10
                    digits -= 1
                }
                out[20] = UInt8(ascii: ".")
                writeDigits(fraction, count: digits, to: out + 21)
                end = 21 + digits
            }
            out[end] = UInt8(ascii: "Z")
            out[end + 1] = 0x22
            return end + 2
        }
    }

    /// `[…]`, each element written by `element`.
    mutating func array<Element>(_ elements: [Element], _ element: (inout JSONWriter, Element) -> Void) {
        raw("[")
        for (index, item) in elements.enumerated() {
            if index > 0 { raw(",") }
            element(&self, item)
        }
        raw("]")
    }

    mutating func optionalInteger(_ value: Int?) {
        if let value { integer(value) } else { raw("null") }
    }

    mutating func bool(_ value: Bool) {
        value ? raw("true") : raw("false")
    }

    mutating func fragment(_ fragment: JSONFragment) {
        append(fragment.bytes)
    }

    enum RobotFields {
        /// `Id, Name, MachineName`: a running job's robot.
        case brief
        /// Adds `MachineId, Version, UserName, Type, HostingType`: a queue item's robot.
        case queueItem
        /// Adds `Description`: a job.created job's robot.
        case wrapped
        /// Adds `Environments, ExecutionSettings`: robot.* events, schedule executors.
        case definition
    }

    mutating func robot(_ robot: RobotSnapshot, fields: RobotFields) {
        raw("{\"Id\":")
        integer(robot.id)
        raw(",\"Name\":")
        string(robot.name)
        if fields == .brief {
            raw(",\"MachineName\":")
            string(robot.machineName)
            raw("}")
            return
        }
        raw(",\"MachineId\":")
        integer(robot.machineId)
        raw(",\"MachineName\":")
        string(robot.machineName)
        if fields != .queueItem, let description = robot.description {
            raw(",\"Description\":")
            string(description)
        }
        if let version = robot.version {
            raw(",\"Version\":")
            string(version)
        }
        raw(",\"UserName\":")
        string(robot.userName)
        raw(",\"Type\":")
        string(robot.type)
        raw(",\"HostingType\":")
        string(robot.hostingType)
        if fields == .definition {
            if let environments = robot.environments {
                raw(",\"Environments\":")
                array(environments) { $0.environment($1) }
            }
            if let settings = robot.executionSettings {
                raw(",\"ExecutionSettings\":")
                fragment(settings)
            }
        }
        raw("}")
    }

    mutating func environment(_ environment: EnvironmentSnapshot) {
        raw("{\"Id\":")
        integer(environment.id)
        raw(",\"Name\":")
        string(environment.name)
        if let description = environment.description {
            raw(",\"Description\":")
            string(description)
        }
        raw("}")
    }

    /// `{Id, Key, ProcessKey}`: the release of a running job or a schedule.
    mutating func releaseReference(_ release: ProcessSnapshot) {
        raw("{\"Id\":")
        integer(release.id)
        raw(",\"Key\":")
        string(release.key)
        raw(",\"ProcessKey\":")
        string(release.processKey)
        raw("}")
    }

    /// The full release: `process.*` elements (with `Environment` when set) and
    /// job.created's `Release` (never with `Environment`, as in its sample).
    mutating func releaseDefinition(_ release: ProcessSnapshot, includesEnvironment: Bool = true) {
        raw("{\"Id\":")
        integer(release.id)
        raw(",\"Key\":")
        string(release.key)
        raw(",\"ProcessKey\":")
        string(release.processKey)
        raw(",\"ProcessVersion\":")
        string(release.processVersion)
        raw(",\"Name\":")
        string(release.name)
        raw(",\"Description\":")
        string(release.description)
        raw(",\"IsLatestVersion\":")
        bool(release.isLatestVersion)
        if includesEnvironment, let environment = release.environment {
            raw(",\"Environment\":{\"Id\":")
            integer(environment.id)
            raw(",\"Name\":")
            string(environment.name)
            raw("}")
        }
        raw(",\"InputArguments\":")
        fragment(release.inputArguments)
        raw("}")
    }

    /// SimpleJobEventDto: job.started/completed/faulted `Job`, job.stopped `Jobs[]`.
    mutating func simpleJob(_ job: JobSnapshot) {
        raw("{\"Id\":")
        integer(job.id)
        raw(",\"Key\":")
        string(job.key)
        raw(",\"State\":")
        string(job.state.rawValue)
        if let startTime = job.startTime {
            raw(",\"StartTime\":")
            timestamp(startTime)
        }
        if let endTime = job.endTime {
            raw(",\"EndTime\":")
            timestamp(endTime)
        }
        if let info = job.info {
            raw(",\"Info\":")
            string(info)
        }
        raw(",\"OutputArguments\":")
        fragment(job.outputArguments)
        if let robot = job.robot {
            raw(",\"Robot\":")
            self.robot(robot, fields: .brief)
        }
        raw(",\"Release\":")
        releaseReference(job.release)
        if let creationTime = job.creationTime {
            raw(",\"CreationTime\":")
            timestamp(creationTime)
        }
        raw("}")
    }

    /// WrappedJobDto: job.created `Jobs[]`.
    mutating func createdJob(_ job: JobSnapshot, batchExecutionKey: String) {
        raw("{\"Id\":")
        integer(job.id)
        raw(",\"Key\":")
        string(job.key)
        raw(",\"State\":")
        string(job.state.rawValue)
        raw(",\"Source\":")
        string(job.source)
        raw(",\"SourceType\":")
        string(job.sourceType)
        raw(",\"BatchExecutionKey\":")
        string(batchExecutionKey)
        raw(",\"ReleaseName\":")
        string(job.release.name)
        raw(",\"Type\":")
        string(job.type)
        if let robot = job.robot {
            raw(",\"Robot\":")
            self.robot(robot, fields: .wrapped)
        }
        raw(",\"Release\":")
        releaseDefinition(job.release, includesEnvironment: false)
        raw(",\"InputArguments\":")
        fragment(job.inputArguments)
        raw(",\"OutputArguments\":")
        fragment(job.outputArguments)
        if let creationTime = job.creationTime {
            raw(",\"CreationTime\":")
            timestamp(creationTime)
        }
        if let hostMachineName = job.hostMachineName {
            raw(",\"HostMachineName\":")
            string(hostMachineName)
        }
        raw("}")
    }

    mutating func startInfo(_ info: JobStartInfo) {
        raw("{\"ReleaseKey\":")
        string(info.releaseKey)
        raw(",\"Strategy\":")
        string(info.strategy)
        raw(",\"RobotIds\":")
        array(info.robotIds) { $0.integer($1) }
        raw(",\"JobsCount\":")
        integer(info.jobsCount)
        raw(",\"Source\":")
        string(info.source)
        raw("}")
    }

    mutating func queue(_ queue: QueueSnapshot) {
        raw("{\"Id\":")
        integer(queue.id)
        raw(",\"Name\":")
        string(queue.name)
        raw(",\"Description\":")
        string(queue.description)
        raw(",\"MaxNumberOfRetries\":")
        integer(queue.maxNumberOfRetries)
        raw(",\"AcceptAutomaticallyRetry\":")
        bool(queue.acceptAutomaticallyRetry)
        raw(",\"EnforceUniqueReference\":")
        bool(queue.enforceUniqueReference)
        if let key = queue.key {
            raw(",\"Key\":")
            string(key)
        }
        raw("}")
    }

    mutating func queueItem(_ item: QueueItemSnapshot) {
        raw("{\"Id\":")
        integer(item.id)
        raw(",\"Key\":")
        string(item.key)
        raw(",\"QueueDefinitionId\":")
        integer(item.queueDefinitionId)
        raw(",\"Status\":")
        string(item.status.rawValue)
        raw(",\"ReviewStatus\":")
        string(item.reviewStatus.rawValue)
        if let exception = item.processingException {
            raw(",\"ProcessingException\":{\"Reason\":")
            string(exception.reason)
            raw(",\"Details\":")
            string(exception.details)
            raw(",\"Type\":")
            string(exception.type.rawValue)
            raw("}")
        }
        raw(",\"Priority\":")
        string(item.priority.rawValue)
        raw(",\"CreationTime\":")
        timestamp(item.creationTime)
        if let startProcessing = item.startProcessing {
            raw(",\"StartProcessing\":")
            timestamp(startProcessing)
        }
        if let endProcessing = item.endProcessing {
            raw(",\"EndProcessing\":")
            timestamp(endProcessing)
        }
        raw(",\"SecondsInPreviousAttempts\":")
        integer(item.secondsInPreviousAttempts)
        raw(",\"RetryNumber\":")
        integer(item.retryNumber)
        if let robot = item.robot {
            raw(",\"Robot\":")
            self.robot(robot, fields: .queueItem)
        }
        raw(",\"SpecificContent\":")
        fragment(item.specificContent)
        if let output = item.output {
            raw(",\"Output\":")
            fragment(output)
        }
        if let reference = item.reference {
            raw(",\"Reference\":")
            string(reference)
        }
        if let ancestorId = item.ancestorId {
            raw(",\"AncestorId\":")
            integer(ancestorId)
        }
        raw("}")
    }

    mutating func session(_ session: RobotSessionSnapshot) {
        raw("{\"SessionId\":")
        integer(session.sessionId)
        raw(",\"RobotId\":")
        integer(session.robotId)
        raw(",\"HostMachineName\":")
        string(session.hostMachineName)
        raw(",\"State\":")
        string(session.state.rawValue)
        raw(",\"ReportingTime\":")
        timestamp(session.reportingTime)
        raw(",\"IsUnresponsive\":")
        bool(session.isUnresponsive)
        raw("}")
    }

    mutating func schedule(_ schedule: ScheduleSnapshot) {
        raw("{\"Id\":")
        integer(schedule.id)
        raw(",\"Name\":")
        string(schedule.name)
        raw(",\"Enabled\":")
        bool(schedule.enabled)
        raw(",\"EnvironmentId\":")
        string(schedule.environmentId)
        raw(",\"EnvironmentName\":")
        string(schedule.environmentName)
        raw(",\"StartProcessCron\":")
        string(schedule.startProcessCron)
        raw(",\"StartStrategy\":")
        string(schedule.startStrategy)
        raw(",\"ExternalJobKey\":")
        string(schedule.externalJobKey)
        raw(",\"TimeZoneId\":")
        string(schedule.timeZoneId)
        raw(",\"TimeZoneIana\":")
        string(schedule.timeZoneIana)
        raw(",\"UseCalendar\":")
        bool(schedule.useCalendar)
        raw(",\"Release\":")
        releaseReference(schedule.release)
        raw(",\"ExecutorRobots\":")
        array(schedule.executorRobots) { $0.robot($1, fields: .definition) }
        raw(",\"InputArguments\":")
        fragment(schedule.inputArguments)
        raw("}")
    }
}
