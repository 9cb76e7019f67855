import Glibc

/// A failure of the segment store, naming the file and what was being done.
public struct SegmentStoreError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case notFound, cannotOpen, cannotRead, cannotWrite, cannotSync, cannotRename, cannotRemove
        case compression, invalidInstance, seqNotIncreasing, segmentExists
    }

    public var code: Code
    /// The file or directory concerned.
    public var path: String
    public var message: String
    /// The operating system's error number, when a system call failed.
    public var errno: Int32?

    public init(_ code: Code, path: String, _ message: String, errno: Int32? = nil) {
        self.code = code
        self.path = path
        self.message = message
        self.errno = errno
    }

    public var description: String {
        var text = "\(path): \(message)"
        if let errno { text += ": \(String(cString: strerror(errno)))" }
        return text
    }

    /// An error from the current `errno`.
    static func system(_ code: Code, path: String, _ message: String) -> SegmentStoreError {
        SegmentStoreError(code, path: path, message, errno: Glibc.errno)
    }
}
