import Foundation

/// Runs a command-line tool, returning its exit status; nil when it is not installed.
@discardableResult
public func runTool(_ arguments: [String], stdin: Data? = nil, stdout: String? = nil) throws -> Int32? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    if let stdout {
        _ = FileManager.default.createFile(atPath: stdout, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdout))
    }
    if let stdin {
        let pipe = Pipe()
        process.standardInput = pipe
        try process.run()
        pipe.fileHandleForWriting.write(stdin)
        try pipe.fileHandleForWriting.close()
    } else {
        try process.run()
    }
    process.waitUntilExit()
    return process.terminationStatus == 127 ? nil : process.terminationStatus
}



/// Whether `chattr +i` works on a temporary directory: it needs root (the
/// CAP_LINUX_IMMUTABLE capability) and a filesystem that keeps the flag.
/// Tests that make a directory immutable are skipped elsewhere.
public enum ImmutableFlag {
    public static let isAvailable: Bool = {
        guard getuid() == 0, let directory = try? TemporaryDirectory() else { return false }
        defer { directory.remove() }
        guard (try? runTool(["chattr", "+i", directory.path])) == 0 else { return false }
        return (try? runTool(["chattr", "-i", directory.path])) == 0
    }()
}

/// A small tmpfs, so a test can fill the disk. Needs root (CI and the
/// development machines run as root); the test is skipped elsewhere.
public struct SmallFilesystem {
    public let path: String

    public init?(in directory: TemporaryDirectory, kilobytes: Int) {
        path = directory.file("small-fs")
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        guard (try? runTool(["mount", "-t", "tmpfs", "-o", "size=\(kilobytes)k", "tmpfs", path])) == 0 else { return nil }
    }

    public func unmount() {
        _ = try? runTool(["umount", path])
    }

    /// Gives the filesystem a new size, keeping its files.
    public func resize(kilobytes: Int) throws {
        guard try runTool(["mount", "-o", "remount,size=\(kilobytes)k", path]) == 0 else {
            throw ResizeFailure(path: path)
        }
    }

    public struct ResizeFailure: Error {
        public let path: String
    }

    public static let isAvailable: Bool = {
        guard getuid() == 0, let directory = try? TemporaryDirectory() else { return false }
        defer { directory.remove() }
        guard let filesystem = SmallFilesystem(in: directory, kilobytes: 64) else { return false }
        filesystem.unmount()
        return true
    }()
}

