import EventModel
import Glibc

/// Reads a segment that a writer may still be appending to (an `.open`
/// segment), on the caller's thread, and can pick up where it stopped once
/// the file has grown: it keeps its zstd decoder, its file offset and the
/// unfinished last line between calls.
///
/// Only complete lines (ending in `\n`) are handed out. The end of what is on
/// disk is never a problem: a writer flushes whole zstd blocks, so a file cut
/// anywhere is a prefix of the stream, which decodes to records followed by
/// at most part of one; that part waits for more bytes. Bytes that do not
/// decode, or a file that cannot be read, are reported (`corrupt frame`,
/// `unreadable segment`) and end the reading.
///
/// The file is only ever opened read-only: no locks, no writes, no renames.
final class GrowingSegmentReader {
    /// Decompressed bytes a block makes room for, besides the unfinished line.
    static let blockSize = 256 << 10

    let segment: String
    private let file: PosixFile
    private let decompressor: ZstdDecompressor
    private let report: (ReadIssue) -> Void
    /// Compressed bytes to read at most (nil: up to the end, whenever that is).
    private let limit: Int64?
    private var pending: [UInt8] = []
    private var pendingOffset = 0
    /// Compressed bytes read from the file so far.
    private var compressedRead: Int64 = 0
    /// Whether zstd may still hold output (the last call filled the block).
    private var decoderMayHoldOutput = false

    /// Decoded bytes: lines from `offset` on, the last one perhaps unfinished.
    private var block: [UInt8] = []
    private var offset = 0
    /// Lines of the segment before `offset`, blank ones included.
    private var lines = 0
    private(set) var isFailed = false

    /// Opens `path` for reading; throws (`.notFound` when it is gone) if it cannot.
    init(path: String, segment: String, limit: Int64? = nil, report: @escaping (ReadIssue) -> Void) throws(SegmentStoreError) {
        file = try PosixFile.openForReading(path)
        do {
            decompressor = try ZstdDecompressor()
        } catch {
            throw SegmentStoreError(.compression, path: path, error.description)
        }
        self.segment = segment
        self.limit = limit
        self.report = report
    }

    /// True when everything read so far ends a zstd frame (a sealed segment
    /// read to its end), false in the middle of one.
    var isAtCleanEnd: Bool {
        !isFailed && pendingOffset == pending.count && decompressor.isAtFrameBoundary && offset == block.count
    }

    /// The next complete line, or nil when the file holds no further complete
    /// line now (call again later for what is written meanwhile).
    func next() -> SegmentLine? {
        while true {
            if let line = nextCompleteLine() { return line }
            guard !isFailed, decodeMore() else { return nil }
        }
    }

    private func nextCompleteLine() -> SegmentLine? {
        while offset < block.count {
            let end = block.withUnsafeBufferPointer { buffer -> Int? in
                let start = buffer.baseAddress! + offset
                guard let found = memchr(start, 0x0A, buffer.count - offset) else { return nil }
                return offset + (UnsafeRawPointer(found) - UnsafeRawPointer(start))
            }
            guard let end else { return nil }
            let line = block[offset..<end]
            offset = end + 1
            lines += 1
            if !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) {
                return SegmentLine(bytes: line, number: lines,
                                   record: Result { () throws(RecordLineError) in try RecordLine(line) })
            }
        }
        return nil
    }

    /// Decodes what the file holds beyond what was decoded, into a new block
    /// that starts with the unfinished line. (A new array each time: lines
    /// handed out keep their block alive, and are never copied.) False when
    /// nothing new could be decoded now.
    private func decodeMore() -> Bool {
        if pendingOffset == pending.count && !decoderMayHoldOutput {
            guard readMore() else { return false }
        }
        let carry = block[offset...]
        var produced = false
        let capacity = carry.count + Self.blockSize
        let bytes = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            let output = UnsafeMutableRawBufferPointer(buffer)
            carry.withUnsafeBytes { output.copyMemory(from: $0) }
            count = carry.count
            produced = fill(output, count: &count)
        }
        block = bytes
        offset = 0
        return produced
    }

    /// Decodes into `output` until it is full or the file has nothing more now.
    private func fill(_ output: UnsafeMutableRawBufferPointer, count: inout Int) -> Bool {
        let start = count
        do {
            while count < output.count {
                if pendingOffset < pending.count {
                    try pending.withUnsafeBytes { input in
                        try decompressor.decompress(input, inputOffset: &pendingOffset, into: output, outputOffset: &count)
                    }
                    continue
                }
                if decoderMayHoldOutput {
                    try decompressor.drain(into: output, outputOffset: &count)
                    decoderMayHoldOutput = false
                    continue
                }
                guard readMore() else { break }
            }
        } catch {
            isFailed = true
            report(ReadIssue(.corruptFrame, segment: segment, line: lines + 1,
                "\(error) near compressed byte \(compressedRead - Int64(pending.count - pendingOffset)); the rest of this segment is skipped"))
        }
        // A full block may leave output inside zstd; it is taken before more input.
        if count == output.count { decoderMayHoldOutput = true }
        return count > start
    }

    /// Reads the next compressed bytes into `pending`; false at the end of the
    /// file (for now) or of `limit`, or on a read error (reported).
    private func readMore() -> Bool {
        var wanted = ZstdFileSource.readSize
        if let limit {
            guard compressedRead < limit else { return false }
            wanted = Int(min(Int64(wanted), limit - compressedRead))
        }
        do {
            pending = try file.read(upTo: wanted)
        } catch {
            isFailed = true
            report(ReadIssue(.unreadable, segment: segment, line: nil, error.description))
            pending = []
        }
        pendingOffset = 0
        compressedRead += Int64(pending.count)
        return !pending.isEmpty
    }
}
