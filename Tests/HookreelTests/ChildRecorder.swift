import Foundation
import Synchronization

/// `hookreel record` as a child process on 127.0.0.1 with an ephemeral port,
/// for tests that kill it or signal it.
final class ChildRecorder: Sendable {
    let process: Process
    let port: Int
    private let log: CapturedLog

    /// Text a reader thread appends to while the test reads it.
    private final class CapturedLog: Sendable {
        let text = Mutex("")
        let port = Mutex<Int?>(nil)
    }

    /// Starts the recorder and waits (up to 20 s) until it logs its address.
    /// - Parameter port: the port to listen on; 0 picks one.
    init(arguments: [String], port: Int = 0, environment: [String: String] = [:]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandRunner.binary)
        process.arguments = ["record", "--listen", "127.0.0.1:\(port)"] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let log = CapturedLog()
        let handle = errors.fileHandleForReading
        Thread {
            while true {
                let data = handle.availableData
                if data.isEmpty { return }
                let text = log.text.withLock { text in
                    text += String(decoding: data, as: UTF8.self)
                    return text
                }
                if let port = ChildRecorder.port(in: text) {
                    log.port.withLock { $0 = $0 ?? port }
                }
            }
        }.start()
        let deadline = Date().addingTimeInterval(20)
        while log.port.withLock({ $0 }) == nil && Date() < deadline && process.isRunning { usleep(10_000) }
        guard let port = log.port.withLock({ $0 }) else {
            process.terminate()
            throw ChildFailure(message: "recorder did not start: \(log.text.withLock { $0 })")
        }
        self.process = process
        self.port = port
        self.log = log
    }

    var stderr: String { log.text.withLock { $0 } }

    /// Sends `signal` and waits for the process to end (up to 20 s); its exit status.
    @discardableResult
    func stop(with signal: Int32) -> Int32 {
        kill(process.processIdentifier, signal)
        let deadline = Date().addingTimeInterval(20)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        return process.terminationStatus
    }

    private static func port(in log: String) -> Int? {
        guard let range = log.range(of: #"address=127\.0\.0\.1:(\d+)"#, options: .regularExpression) else { return nil }
        return Int(log[range].split(separator: ":").last ?? "")
    }
}

struct ChildFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
