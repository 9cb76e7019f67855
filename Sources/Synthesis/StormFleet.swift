import EventModel
import Primitives

/// The fleet as the snapshots events carry: ids are positional (robot n has
/// Id n), GUID keys come from the storm's seed, so the same scenario and seed
/// describe the same fleet in every run.
struct StormFleet: Sendable {
    let robots: [RobotSnapshot]
    let processes: [ProcessSnapshot]
    let queues: [QueueSnapshot]
    /// `processes[i]`'s trigger, for schedule.failed.
    let schedules: [ScheduleSnapshot]

    /// First `Id`s of each entity kind, apart so that ids never collide across kinds in logs.
    static let firstProcessId = 1_001
    static let firstQueueId = 2_001
    static let firstScheduleId = 3_001

    init(_ fleet: Scenario.Fleet, random: inout SplitMix64) {
        let prefix = fleet.robots.prefix
        self.robots = (1...fleet.robots.count).map { n in
            RobotSnapshot(id: n, name: "\(prefix)-\(n)", machineId: 500 + n, machineName: "\(prefix.uppercased())-VM\(n)",
                          description: "", version: "23.10.2", userName: "\(prefix)-svc-\(n)")
        }
        var processes: [ProcessSnapshot] = []
        for (index, process) in fleet.processes.enumerated() {
            processes.append(ProcessSnapshot(id: Self.firstProcessId + index, key: Identifiers.uuid(using: &random),
                                             processKey: process.name, processVersion: "1.0.0", name: process.name,
                                             isLatestVersion: true))
        }
        var queues: [QueueSnapshot] = []
        for (index, queue) in fleet.queues.enumerated() {
            queues.append(QueueSnapshot(id: Self.firstQueueId + index, name: queue.name, maxNumberOfRetries: queue.maxRetries,
                                        acceptAutomaticallyRetry: queue.maxRetries > 0, key: Identifiers.uuid(using: &random)))
        }
        var schedules: [ScheduleSnapshot] = []
        for (index, process) in processes.enumerated() {
            schedules.append(ScheduleSnapshot(id: Self.firstScheduleId + index, name: "\(process.name) trigger",
                                              startProcessCron: "0 0/5 * * * ? *",
                                              externalJobKey: Identifiers.uuid(using: &random), release: process))
        }
        self.processes = processes
        self.queues = queues
        self.schedules = schedules
    }
}
