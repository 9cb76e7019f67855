import EventModel
@testable import Synthesis

/// Builder inputs that mirror the documented sample of each event type (the
/// fixtures in Fixtures/payload-shapes/): which optional fields are set, how
/// many elements the arrays hold, the free-form members.
enum PayloadSamples {
    static let time = Timestamp(rfc3339: "2026-11-02T09:15:27.453287Z")!
    static let earlier = Timestamp(rfc3339: "2026-11-02T09:15:25.433Z")!

    static let robot = RobotSnapshot(id: 41, name: "bot-041", machineId: 77, machineName: "VM-RPA-07",
                                     description: "Invoice robot", version: "23.10.2", userName: #"corp\svc-rpa"#)
    static let process = ProcessSnapshot(id: 359, key: "0237af09-80a9-450b-b3a0-20c15dd308fa",
                                         processKey: "InvoiceIntake", processVersion: "1.0.12",
                                         name: "InvoiceIntake_Production")
    static let queue = QueueSnapshot(id: 40014, name: "Invoices", description: "Supplier invoices to post",
                                     maxNumberOfRetries: 2, acceptAutomaticallyRetry: true)
    static let businessFailure = ProcessingException(reason: "Invoice total does not match",
                                                     details: "Expected 125123, found 125132", type: .business)
    static let fourFields = JSONFragment(["InvoiceNumber": "INV-004211", "Amount": 125123, "Approved": false,
                                          "Supplier": "Acme GmbH"])
    static let threeFields = JSONFragment(["InvoiceNumber": "INV-004212", "Amount": 35125, "Approved": true])

    static func job(state: JobState) -> JobSnapshot {
        var job = JobSnapshot(id: 148649, key: "da8fe505-d2a7-4546-b723-cf58807d69ad", state: state,
                              startTime: earlier, info: "Waiting for execution to start...",
                              release: process, robot: robot)
        switch state {
        case .successful:
            job.endTime = time
            job.info = "Job completed"
            job.outputArguments = JSONFragment(["ProcessedCount": 5000, "Status": "OK"])
        case .faulted:
            job.endTime = time
            job.info = "System.Exception: Selector not found\r\n   at UiPath.Core.Activities.Click.Execute()"
            job.outputArguments = .emptyObject
        case .stopped:
            job.endTime = time
            job.info = "Job canceled"
            job.outputArguments = .emptyObject
        default:
            break
        }
        return job
    }

    static func item(status: QueueItemStatus, content: JSONFragment = fourFields) -> QueueItemSnapshot {
        var item = QueueItemSnapshot(id: 22135, key: "0e7fd9f2-5063-4ab4-a43e-5c3bf5ce6546", queueDefinitionId: 40014,
                                     status: status, priority: .high, creationTime: earlier,
                                     startProcessing: earlier, specificContent: content)
        if status != .inProgress && status != .new {
            item.endProcessing = time
            item.robot = robot
        }
        return item
    }

    /// As in the samples: a folder only on the events without a user.
    static func envelope(_ type: EventType) -> EventEnvelopeFields {
        EventEnvelopeFields(type: type, eventId: "307348658", timestamp: time, tenantId: 1,
                            organizationUnitId: PayloadFamily.carriesUserId(type) ? nil : 7,
                            userId: 12)
    }

    static func body(for type: EventType) -> [UInt8] {
        body(for: type, envelope: envelope(type))
    }

    static func body(for type: EventType, envelope: EventEnvelopeFields) -> [UInt8] {
        switch type {
        case .jobCreated:
            var jobs = [JobSnapshot]()
            for (offset, key) in ["e1c32fbf-5ef4-4080-a671-cf6ef75f359a", "b571d943-305c-40a0-8de7-28fd689e67aa"]
                .enumerated() {
                var robot = robot
                robot.id += offset
                jobs.append(JobSnapshot(id: 148708 + offset, key: key, state: .pending, release: process, robot: robot))
            }
            return EventPayloads.body(envelope, startInfo: JobStartInfo(releaseKey: process.key, robotIds: [41, 42]),
                                      batchExecutionKey: "17e99516-2e87-475c-bce7-75b7d88ab5b4", jobs: jobs)
        case .jobStarted: return EventPayloads.body(envelope, job: job(state: .running))
        case .jobCompleted: return EventPayloads.body(envelope, job: job(state: .successful))
        case .jobFaulted: return EventPayloads.body(envelope, job: job(state: .faulted))
        case .jobStopped: return EventPayloads.body(envelope, jobs: [job(state: .stopped)])
        case .robotCreated:
            var created = robot
            created.version = nil
            created.environments = []
            created.executionSettings = JSONFragment([
                "TracingLevelState": true, "TracingLevel": "Off", "StudioNotifyServerState": true,
                "StudioNotifyServer": true, "LoginToConsoleState": false, "ResolutionWidthState": true,
                "ResolutionWidth": "1920", "ResolutionHeightState": true, "ResolutionHeight": "1080",
                "ResolutionDepthState": false, "FontSmoothingState": false,
            ])
            return EventPayloads.body(envelope, robots: [created])
        case .robotUpdated:
            var updated = robot
            updated.executionSettings = JSONFragment([
                "TracingLevelState": true, "TracingLevel": "Error", "StudioNotifyServerState": true,
                "StudioNotifyServer": true, "LoginToConsoleState": true, "LoginToConsole": false,
                "ResolutionWidthState": true, "ResolutionWidth": "1200", "ResolutionHeightState": true,
                "ResolutionHeight": "1600", "ResolutionDepthState": false, "FontSmoothingState": false,
            ])
            return EventPayloads.body(envelope, robots: [updated])
        case .robotDeleted:
            return EventPayloads.body(envelope, robots: [159, 169, 171].map { id in
                var deleted = robot
                deleted.id = id
                return deleted
            })
        case .robotStatus:
            return EventPayloads.body(envelope, sessions: [
                RobotSessionSnapshot(sessionId: 4778, robotId: 41, hostMachineName: "VM-RPA-07", state: .busy,
                                     reportingTime: time),
            ])
        case .queueCreated, .queueUpdated, .queueDeleted:
            return EventPayloads.body(envelope, queues: [queue])
        case .queueItemAdded:
            return EventPayloads.body(envelope, queue: queue, items: [item(status: .inProgress)])
        case .queueItemTransactionStarted:
            return EventPayloads.body(envelope, queue: queue, item: item(status: .inProgress, content: threeFields))
        case .queueItemTransactionCompleted:
            var completed = item(status: .successful)
            completed.output = JSONFragment(["PostedDocument": "5100042", "Lines": 4])
            return EventPayloads.body(envelope, queue: queue, item: completed)
        case .queueItemTransactionFailed:
            var failed = item(status: .failed, content: threeFields)
            failed.processingException = businessFailure
            return EventPayloads.body(envelope, queue: queue, item: failed)
        case .queueItemTransactionAbandoned:
            var first = item(status: .abandoned)
            first.output = .emptyObject
            var second = item(status: .abandoned, content: threeFields)
            second.processingException = businessFailure
            return EventPayloads.body(envelope, queue: queue, items: [first, second])
        case .processCreated, .processUpdated, .processDeleted:
            var release = process
            release.inputArguments = JSONFragment(["a": "arg_value_a", "b": "arg_value_b"])
            if type != .processCreated { release.environment = EnvironmentSnapshot(id: 1, name: "Production") }
            return EventPayloads.body(envelope, releases: [release])
        case .scheduleFailed:
            let schedule = ScheduleSnapshot(id: 134, name: "Nightly intake", environmentId: "1",
                                            environmentName: "Production", startProcessCron: "5/20 * * * * ? *",
                                            externalJobKey: "b8abfb7d-22ef-4b90-9976-d85da1d3ce63",
                                            release: process, inputArguments: JSONFragment(["x": 100, "y": 50]))
            return EventPayloads.body(envelope, schedule: schedule,
                                      reason: "The robots already have pending jobs for this Process")
        case .ping:
            return EventPayloads.pingBody(envelope)
        default:
            fatalError("no sample for \(type)")
        }
    }
}
