#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A result file that cannot be read, written, decoded or merged. The message
/// starts with the file (or operation) it concerns.
public struct ReportError: Error, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        case unreadableFile, unwritableFile, malformedResult, unsupportedVersion, encodingFailed, nothingToMerge, originsTooFarApart
        /// Results of different shard counts, a shard given twice, or sharded and unsharded results together.
        case shardMismatch
        /// A sharded run's results without all of its shards.
        case missingShards
        /// Results of different format versions, which are not compared.
        case differentVersions
    }

    public let code: Code
    /// The file name, or the operation when no file is involved.
    public let source: String
    public let reason: String

    public init(_ code: Code, source: String, reason: String) {
        self.code = code
        self.source = source
        self.reason = reason
    }

    public var description: String { "\(source): \(reason)" }

    /// A decoding failure as one line: where in the document, and what was wrong.
    static func malformed(_ error: any Error, source: String) -> ReportError {
        guard let error = error as? DecodingError else {
            return ReportError(.malformedResult, source: source, reason: "not a hookreel result: \(error)")
        }
        let reason: String
        switch error {
        case .keyNotFound(let key, let context):
            reason = "missing field '\(path(context.codingPath + [key]))'"
        case .typeMismatch(let type, let context):
            reason = "\(path(context.codingPath)): expected \(typeName(type))"
        case .valueNotFound(let type, let context):
            reason = "\(path(context.codingPath)): expected \(typeName(type)), found null"
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            reason = "not valid JSON (\(context.underlyingError.map { "\($0)" } ?? context.debugDescription))"
        case .dataCorrupted(let context):
            reason = "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            reason = "\(error)"
        }
        return ReportError(.malformedResult, source: source, reason: "not a hookreel result: \(reason)")
    }

    /// `statistics.scheduled_per_second[3].latency`
    private static func path(_ keys: [any CodingKey]) -> String {
        var text = ""
        for key in keys {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += (text.isEmpty ? "" : ".") + key.stringValue
            }
        }
        return text.isEmpty ? "top level" : text
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type, is UInt64.Type: "an integer"
        case is Double.Type: "a number"
        default: "\(type)"
        }
    }
}

/// Whole-file reads and writes with errors that name the file.
public enum ReportFile {
    public static func contents(of path: String) throws(ReportError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure(.unreadableFile, path, "cannot open") }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure(.unreadableFile, path, "cannot read")
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[..<count])
        }
    }

    /// Writes through a temporary file renamed over `path`, so a reader never sees half a report.
    public static func replace(_ path: String, with bytes: [UInt8]) throws(ReportError) {
        let temporary = "\(path).tmp-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw failure(.unwritableFile, path, "cannot create") }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                let error = failure(.unwritableFile, path, "cannot write")
                close(descriptor)
                unlink(temporary)
                throw error
            }
            offset += written
        }
        guard close(descriptor) == 0 else {
            let error = failure(.unwritableFile, path, "cannot write")
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let error = failure(.unwritableFile, path, "cannot replace")
            unlink(temporary)
            throw error
        }
    }

    public static func replace(_ path: String, with text: String) throws(ReportError) {
        try replace(path, with: Array(text.utf8))
    }

    private static func failure(_ code: ReportError.Code, _ path: String, _ action: String) -> ReportError {
        ReportError(code, source: path, reason: "\(action): \(String(cString: strerror(errno)))")
    }
}
