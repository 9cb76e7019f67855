import EventModel

/// What `inspect` reports about one segment.
public struct SegmentReport: Sendable, Codable {
    public enum SummarySource: String, Sendable, Codable {
        /// Read from the segment's trailer without decompressing it.
        case trailer
        /// Counted by decoding every record.
        case decoded
        /// An open segment: counted by decoding its records so far, up to the
        /// last complete one.
        case open
    }

    public var name: String
    public var instance: String?
    public var compressedBytes: Int64
    public var summary: SegmentSummary
    public var summarySource: SummarySource

    enum CodingKeys: String, CodingKey {
        case name, instance, summary
        case compressedBytes = "compressed_bytes"
        case summarySource = "summary_source"
    }
}

/// What `inspect` reports about a recording.
public struct RecordingReport: Sendable, Codable {
    public var path: String
    public var segments: [SegmentReport]
    /// The names of open segments (a writer is appending, or one crashed).
    public var openSegments: [String]
    /// What the open segments hold so far (as `cat --include-open` reads
    /// them: up to each one's last complete record).
    public var openSegmentReports: [SegmentReport]
    /// The sealed segments' records (what `cat` reads).
    public var total: SegmentSummary
    /// The open segments' records so far.
    public var openTotal: SegmentSummary
    /// The sealed segments' compressed bytes.
    public var compressedBytes: Int64
    /// Uncompressed over compressed bytes (0 when there are no bytes).
    public var compressionRatio: Double
    public var issues: [ReadIssue]
    /// Whether every record was decoded and checked (`--verify`).
    public var verified: Bool

    enum CodingKeys: String, CodingKey {
        case path, segments, total, issues, verified
        case openSegments = "open_segments"
        case openSegmentReports = "open_segment_reports"
        case openTotal = "open_total"
        case compressedBytes = "compressed_bytes"
        case compressionRatio = "compression_ratio"
    }
}

extension ReadIssue: Codable {
    enum CodingKeys: String, CodingKey { case kind, segment, line, detail }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let kindText = try container.decode(String.self, forKey: .kind)
        guard let kind = Kind(rawValue: kindText) else {
            throw DecodingError.dataCorruptedError(forKey: .kind, in: container, debugDescription: "unknown issue kind \(kindText)")
        }
        self.init(kind, segment: try container.decode(String.self, forKey: .segment),
                  line: try container.decodeIfPresent(Int.self, forKey: .line),
                  try container.decode(String.self, forKey: .detail))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind.rawValue, forKey: .kind)
        try container.encode(segment, forKey: .segment)
        try container.encodeIfPresent(line, forKey: .line)
        try container.encode(detail, forKey: .detail)
    }
}

/// Summarises a recording, and with `verify` checks it end to end.
public enum RecordingInspector {
    /// Without `verify`, trailers are trusted where present and other segments
    /// are decoded. With `verify`, every segment is decoded; trailers are checked
    /// against what was decoded, and `seq` must go up by one within an instance.
    /// Open segments are decoded up to their last complete record (as far as
    /// they were when the recording was listed); their unfinished end is not
    /// a problem, bytes that do not decode before it are.
    public static func inspect(_ recording: Recording, verify: Bool) -> RecordingReport {
        var issues: [ReadIssue] = []
        var reports: [SegmentReport] = []
        var total = SegmentSummary()
        var compressedBytes: Int64 = 0
        var seqChecker = SeqChecker()

        for segment in recording.segments {
            let size: Int64
            let trailer: SegmentSummary?
            do {
                size = try segment.size()
                trailer = try segment.trailer()
            } catch {
                issues.append(ReadIssue(.unreadable, segment: segment.name, line: nil, error.description))
                continue
            }
            var summary: SegmentSummary
            var source = SegmentReport.SummarySource.decoded
            if let trailer, !verify {
                summary = trailer
                source = .trailer
            } else {
                summary = SegmentSummary()
                let reader = SegmentRecordReader(path: segment.path, segment: segment.name) { issues.append($0) }
                while let line = reader.next() {
                    switch line.record {
                    case .success(let record):
                        summary.add(record)
                        if verify, let issue = seqChecker.check(record, segment: segment.name, line: line.number) {
                            issues.append(issue)
                        }
                    case .failure(let error):
                        issues.append(ReadIssue(.malformedLine, segment: segment.name, line: line.number, error.description))
                    }
                }
                if let trailer, trailer != summary {
                    issues.append(ReadIssue(.trailerMismatch, segment: segment.name, line: nil,
                        "the trailer counts \(trailer.records) records and \(trailer.uncompressedBytes) bytes; decoding found \(summary.records) and \(summary.uncompressedBytes)"))
                }
            }
            total.merge(summary)
            compressedBytes += size
            reports.append(SegmentReport(name: segment.name, instance: segment.parsedName?.instance,
                                         compressedBytes: size, summary: summary, summarySource: source))
        }
        var openReports: [SegmentReport] = []
        var openTotal = SegmentSummary()
        for segment in recording.openSegments {
            var summary = SegmentSummary()
            let stream = SegmentStreamReader(instance: segment.parsedName?.instance, follows: false, relist: nil) { issues.append($0) }
            stream.offer(segment, sizeLimit: segment.listedSize)
            while case .record(let located) = stream.next() {
                summary.add(located.record)
                if verify, let issue = seqChecker.check(located.record, segment: located.segment, line: located.line) {
                    issues.append(issue)
                }
            }
            openTotal.merge(summary)
            openReports.append(SegmentReport(name: segment.name, instance: segment.parsedName?.instance,
                                             compressedBytes: segment.listedSize ?? 0, summary: summary, summarySource: .open))
        }
        let ratio = compressedBytes > 0 ? Double(total.uncompressedBytes) / Double(compressedBytes) : 0
        return RecordingReport(path: recording.path, segments: reports, openSegments: recording.openSegments.map(\.name),
                               openSegmentReports: openReports, total: total, openTotal: openTotal,
                               compressedBytes: compressedBytes, compressionRatio: ratio,
                               issues: issues, verified: verify)
    }
}

/// Checks that `seq` goes up by exactly one within each instance, in read order.
struct SeqChecker {
    private var lastSeqByInstance: [String: Int64] = [:]

    mutating func check(_ record: RecordLine, segment: String, line: Int) -> ReadIssue? {
        let instance = record.instance
        defer { lastSeqByInstance[instance] = max(record.seq, lastSeqByInstance[instance] ?? record.seq) }
        guard let last = lastSeqByInstance[instance] else { return nil }
        if record.seq <= last {
            return ReadIssue(.duplicateSeq, segment: segment, line: line,
                             "instance '\(instance)': seq \(record.seq) after \(last)")
        }
        if record.seq > last + 1 {
            let missing = record.seq - last - 1
            return ReadIssue(.missingSeq, segment: segment, line: line,
                             "instance '\(instance)': seq jumps from \(last) to \(record.seq) (\(missing) missing)")
        }
        return nil
    }
}
