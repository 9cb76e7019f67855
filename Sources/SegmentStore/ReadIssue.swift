/// Something wrong found while reading a recording, with where it was found.
/// Reading reports it and goes on: a bad line is skipped, and a segment whose
/// frames cannot be decoded is abandoned for the next one.
public struct ReadIssue: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// A line that is not a valid record.
        case malformedLine = "malformed line"
        /// Compressed data that does not decode; the rest of the segment is skipped.
        case corruptFrame = "corrupt frame"
        /// The segment ends in the middle of a frame or a line (a torn tail).
        case truncated = "truncated segment"
        /// The segment could not be opened or read.
        case unreadable = "unreadable segment"
        /// A record's `seq` repeats or goes backwards within its instance.
        case duplicateSeq = "duplicate seq"
        /// A record's `seq` skips values within its instance.
        case missingSeq = "missing seq"
        /// The trailer disagrees with the records the segment decodes to.
        case trailerMismatch = "trailer mismatch"
    }

    public var kind: Kind
    /// The segment's file name.
    public var segment: String
    /// 1-based line number in the decompressed segment, when the issue has one.
    public var line: Int?
    public var detail: String

    public init(_ kind: Kind, segment: String, line: Int?, _ detail: String) {
        self.kind = kind
        self.segment = segment
        self.line = line
        self.detail = detail
    }

    public var description: String {
        let place = line.map { "\(segment):\($0)" } ?? segment
        return "\(place): \(kind.rawValue): \(detail)"
    }
}
