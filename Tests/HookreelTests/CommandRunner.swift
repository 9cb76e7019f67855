import Foundation

/// Runs the built `hookreel` binary, which sits next to the test bundle.
struct CommandRunner {
    struct Result {
        var status: Int32
        var stdout: Data
        var stderr: String
        var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
        var stdoutLines: [String] { stdoutText.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) }
    }

    static var binary: String {
        if let override = ProcessInfo.processInfo.environment["HOOKREEL_BINARY"] { return override }
        let testExecutable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return testExecutable.deletingLastPathComponent().appendingPathComponent("hookreel").path
    }

    /// The package root, for committed files such as `recordings/sample`.
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static func hookreel(_ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:]) throws -> Result {
        try run(binary, arguments, stdin: stdin, environment: environment)
    }

    /// - Parameter environment: added to (or replacing in) this process's environment.
    static func run(_ executable: String, _ arguments: [String], stdin: Data? = nil,
                    environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let output = Pipe()
        let errors = Pipe()
        let input = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        // Read both pipes concurrently so a full stderr cannot block the child.
        nonisolated(unsafe) var errorData = Data()
        let errorReader = Thread { errorData = errors.fileHandleForReading.readDataToEndOfFile() }
        errorReader.start()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errorReader.isFinished { usleep(1000) }
        return Result(status: process.terminationStatus, stdout: outputData, stderr: String(decoding: errorData, as: UTF8.self))
    }

    static func shell(_ command: String) throws -> Result {
        try run("/bin/sh", ["-c", command])
    }
}
