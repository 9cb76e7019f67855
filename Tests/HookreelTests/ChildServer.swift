import Foundation
import Synchronization

/// A `hookreel` command that listens (`sink`, `orchestrator`, or a run with
/// `--metrics-listen`) as a child process on 127.0.0.1 with an ephemeral
/// port; stdout is read once it exits.
final class ChildServer: Sendable {
    let process: Process
    let port: Int
    private let output: Pipe
    private let log = CapturedText()

    /// Text a reader thread appends to while the test reads it.
    private final class CapturedText: Sendable {
        private let text = Mutex("")
        func append(_ data: Data) { text.withLock { $0 += String(decoding: data, as: UTF8.self) } }
        var current: String { text.withLock { $0 } }
    }

    /// - Parameters:
    ///   - listening: the arguments that make it listen on an ephemeral port.
    ///   - announcement: a pattern of the log line giving the port, ending in `:PORT`.
    init(command: String = "sink", arguments: [String], environment: [String: String],
         listening: [String] = ["--listen", "127.0.0.1:0"], announcement: String = #"address=127\.0\.0\.1:\d+"#) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: CommandRunner.binary)
        process.arguments = [command] + listening + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let handle = errors.fileHandleForReading
        let log = self.log
        Thread {
            while case let data = handle.availableData, !data.isEmpty {
                log.append(data)
            }
        }.start()
        let deadline = Date().addingTimeInterval(20)
        var port: Int?
        while port == nil && Date() < deadline && process.isRunning {
            usleep(10_000)
            let text = log.current
            port = text.range(of: announcement, options: .regularExpression).flatMap { Int(text[$0].split(separator: ":").last ?? "") }
        }
        guard let port else {
            process.terminate()
            throw ChildFailure(message: "\(command) did not start: \(log.current)")
        }
        self.port = port
    }

    var stderr: String { log.current }

    /// Sends `signal`, waits (up to 20 s) for the exit; the status and what went to stdout.
    func stop(with signal: Int32) -> (status: Int32, stdout: String) {
        kill(process.processIdentifier, signal)
        return waitForExit()
    }

    /// Waits (up to `timeout`, then kills it) for the exit; the status and what went to stdout.
    func waitForExit(timeout: TimeInterval = 20) -> (status: Int32, stdout: String) {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
