import EventModel
import Foundation

/// One line of a segment and what it parses to.
struct SegmentLine: Sendable {
    /// The line, without its newline.
    let bytes: ArraySlice<UInt8>
    /// 1-based line number in the decompressed segment.
    let number: Int
    let record: Result<RecordLine, RecordLineError>
}

/// Streams the lines of one segment file, each parsed as a record. Accepts
/// anything `zstd` produces: one or many frames, skippable frames, an empty
/// file. Problems with the file are handed to `report`, as `ReadIssue`
/// describes; lines that are not records come back with their error.
///
/// Two threads share the work: a decoding thread decompresses blocks a little
/// ahead and parses the first part of each, the caller's thread parses the
/// rest. How much the decoder parses adapts to whichever side is waiting, so
/// reading costs about half of (decompress + parse) on two cores.
/// Memory stays bounded by `BlockChannel.capacity` blocks.
final class SegmentRecordReader {
    let segment: String
    private let report: (ReadIssue) -> Void
    private let channel: BlockChannel?

    /// The block being read: its parsed lines first, then its bytes from `cursor`.
    private var block = DecodedBlock(bytes: [], ending: .more)
    private var parsedIndex = 0
    private var cursor = LineCursor()
    /// Lines of the segment before the current block.
    private var linesBeforeBlock = 0
    private var isFinished = false

    /// Reads the zstd segment file at `path`.
    convenience init(path: String, segment: String, report: @escaping (ReadIssue) -> Void) {
        do {
            self.init(source: try ZstdFileSource(path: path), segment: segment, report: report)
        } catch {
            report(ReadIssue(.unreadable, segment: segment, line: nil, "\(error)"))
            self.init(failedSegment: segment, report: report)
        }
    }

    /// Reads plain NDJSON from an open file descriptor (which stays open).
    convenience init(plainDescriptor: Int32, name: String, report: @escaping (ReadIssue) -> Void) {
        self.init(source: PlainFileSource(descriptor: plainDescriptor, name: name), segment: name, report: report)
    }

    private init(source: any BlockSource, segment: String, report: @escaping (ReadIssue) -> Void) {
        self.segment = segment
        self.report = report
        let decoder = BlockDecoder(source: source)
        let channel = BlockChannel()
        self.channel = channel
        Thread { decoder.run(into: channel) }.start()
    }

    private init(failedSegment segment: String, report: @escaping (ReadIssue) -> Void) {
        self.segment = segment
        self.report = report
        channel = nil
        isFinished = true
    }

    deinit {
        channel?.close()
    }

    /// The next non-blank line, or nil at the end of the segment.
    func next() -> SegmentLine? {
        while true {
            if parsedIndex < block.parsed.count {
                let parsed = block.parsed[parsedIndex]
                parsedIndex += 1
                return SegmentLine(bytes: parsed.bytes, number: linesBeforeBlock + parsed.lineInBlock, record: parsed.record)
            }
            if let line = cursor.nextLine(in: block.bytes) {
                return SegmentLine(bytes: line, number: linesBeforeBlock + cursor.lines, record: Result { () throws(RecordLineError) in try RecordLine(line) })
            }
            guard takeNextBlock() else { return nil }
        }
    }

    /// Hands each remaining non-blank line's number and record to `visit`, to
    /// the end of the segment. Unlike `next()`, it hands over the records the
    /// decoding thread parsed where they lie: a record is a few hundred bytes,
    /// and copying it from layer to layer cost `cat` a sixth of its time.
    func forEachRecord(_ visit: (_ number: Int, _ record: Result<RecordLine, RecordLineError>) -> Void) {
        while true {
            let firstLine = linesBeforeBlock
            block.parsed.withUnsafeBufferPointer { parsed in
                for index in parsed.indices[parsedIndex...] {
                    visit(firstLine + parsed[index].lineInBlock, parsed[index].record)
                }
            }
            parsedIndex = block.parsed.count
            while let line = cursor.nextLine(in: block.bytes) {
                visit(linesBeforeBlock + cursor.lines, Result { () throws(RecordLineError) in try RecordLine(line) })
            }
            guard takeNextBlock() else { return }
        }
    }

    /// Moves on once the current block is read: true with the next block in
    /// place, false at the end of the segment (reporting how it ended badly).
    private func takeNextBlock() -> Bool {
        if isFinished { return false }
        switch block.ending {
        case .more:
            guard let next = channel?.receive() else {
                isFinished = true
                return false
            }
            linesBeforeBlock += cursor.lines
            block = next
            parsedIndex = 0
            cursor = LineCursor(offset: next.parsedByteCount, lines: next.parsedLineCount)
            return true
        case .endOfInput:
            isFinished = true
        case .problem(let kind, let detail):
            isFinished = true
            report(ReadIssue(kind, segment: segment, line: linesBeforeBlock + cursor.lines + 1, detail))
        }
        return false
    }
}

/// Walks the lines of a block. Only a block's last line can lack its newline
/// (a torn or unterminated end); it is handed on too, so a whole record is
/// kept, and fails to parse otherwise. Blank lines are counted and skipped.
struct LineCursor {
    private(set) var offset = 0
    /// Lines passed so far, blank ones included.
    private(set) var lines = 0

    init(offset: Int = 0, lines: Int = 0) {
        self.offset = offset
        self.lines = lines
    }

    mutating func nextLine(in bytes: [UInt8]) -> ArraySlice<UInt8>? {
        while offset < bytes.count {
            let end = bytes.withUnsafeBufferPointer { buffer -> Int in
                let start = buffer.baseAddress! + offset
                guard let found = memchr(start, 0x0A, buffer.count - offset) else { return buffer.count }
                return offset + (UnsafeRawPointer(found) - UnsafeRawPointer(start))
            }
            let line = bytes[offset..<end]
            offset = end + 1
            lines += 1
            if !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return line }
        }
        return nil
    }
}

/// Decompressed bytes that end at a line boundary (except the last block),
/// the lines the decoding thread already parsed, and what follows the block.
struct DecodedBlock: Sendable {
    enum Ending: Sendable {
        /// Another block follows.
        case more
        /// The file ended cleanly.
        case endOfInput
        /// The file ended in a torn frame, or its bytes do not decode.
        case problem(ReadIssue.Kind, String)
    }

    struct ParsedLine: Sendable {
        let bytes: ArraySlice<UInt8>
        /// 1-based line number within the block.
        let lineInBlock: Int
        let record: Result<RecordLine, RecordLineError>
    }

    var bytes: [UInt8]
    var ending: Ending
    /// Lines parsed by the decoding thread, from the start of the block.
    var parsed: [ParsedLine] = []
    /// Bytes and lines (blank ones included) that `parsed` covers.
    var parsedByteCount = 0
    var parsedLineCount = 0
}

/// Where a block's bytes come from: decompressed bytes of a segment, or plain NDJSON.
protocol BlockSource: AnyObject {
    /// How many bytes a block should make room for.
    var blockSize: Int { get }
    /// Appends bytes after `output[count...]` until the buffer is full, the input
    /// ends, or it fails; says which happened once it is not `.more`.
    func fill(_ output: UnsafeMutableRawBufferPointer, count: inout Int) -> DecodedBlock.Ending
}

/// Turns a source into `DecodedBlock`s. Created by the reader, then owned by
/// its decoding thread alone.
final class BlockDecoder: @unchecked Sendable {
    private let source: any BlockSource
    /// The fraction of each block this thread parses; see `adjustShare`.
    private var parseShare = 0.3

    init(source: any BlockSource) {
        self.source = source
    }

    /// Decodes the whole file into `channel`, stopping early if it is closed.
    func run(into channel: BlockChannel) {
        var carry: ArraySlice<UInt8> = []
        while true {
            var (bytes, ending) = fill(after: carry)
            if case .more = ending {
                guard let lastNewline = bytes.lastIndex(of: 0x0A) else {
                    carry = bytes[...]  // one line longer than the block: keep growing
                    continue
                }
                // Copy the unfinished line out first, so the trim below does
                // not copy the whole block (a shared buffer is copied on write).
                carry = ArraySlice(Array(bytes[(lastNewline + 1)...]))
                bytes.removeLast(bytes.count - lastNewline - 1)
            }
            var block = DecodedBlock(bytes: bytes, ending: ending)
            adjustShare(channel.takeWaits())
            parseLeadingLines(of: &block)
            guard channel.send(block) else { return }
            if case .more = ending { continue }
            return
        }
    }

    /// Parses lines from the start of the block up to `parseShare` of its bytes.
    private func parseLeadingLines(of block: inout DecodedBlock) {
        let limit = Int(Double(block.bytes.count) * parseShare)
        var cursor = LineCursor()
        var parsed: [DecodedBlock.ParsedLine] = []
        while cursor.offset < limit, let line = cursor.nextLine(in: block.bytes) {
            parsed.append(.init(bytes: line, lineInBlock: cursor.lines, record: Result { () throws(RecordLineError) in try RecordLine(line) }))
        }
        block.parsed = parsed
        block.parsedByteCount = cursor.offset
        block.parsedLineCount = cursor.lines
    }

    /// Parses more when the reader fell behind (this thread waited for room),
    /// less when the reader waited for a block.
    private func adjustShare(_ waits: BlockChannel.Waits) {
        if waits.sender {
            parseShare = min(parseShare + 0.05, 1)
        } else if waits.receiver {
            parseShare = max(parseShare - 0.05, 0)
        }
    }

    /// A block: `carry`, then new bytes from the source.
    private func fill(after carry: ArraySlice<UInt8>) -> ([UInt8], DecodedBlock.Ending) {
        let capacity = carry.count + source.blockSize
        var ending = DecodedBlock.Ending.more
        let bytes = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            let output = UnsafeMutableRawBufferPointer(buffer)
            carry.withUnsafeBytes { output.copyMemory(from: $0) }
            count = carry.count
            ending = source.fill(output, count: &count)
        }
        return (bytes, ending)
    }
}

/// The decompressed bytes of a zstd file.
final class ZstdFileSource: BlockSource {
    /// Compressed bytes read per system call.
    static let readSize = 256 << 10
    /// Bounds of the decompressed bytes per block: about what the file holds,
    /// so small segments do not cost large buffers.
    static let minimumBlockSize = 64 << 10
    static let maximumBlockSize = 4 << 20

    let blockSize: Int
    private let file: PosixFile
    private let decompressor: ZstdDecompressor
    private var pending: [UInt8] = []
    private var pendingOffset = 0
    /// Compressed bytes consumed before `pending` (for messages).
    private var compressedOffset: Int64 = 0

    init(path: String) throws {
        file = try PosixFile.openForReading(path)
        decompressor = try ZstdDecompressor()
        let fileSize = Int(try file.size())
        blockSize = min(max(fileSize * 16, Self.minimumBlockSize), Self.maximumBlockSize)
    }

    func fill(_ output: UnsafeMutableRawBufferPointer, count: inout Int) -> DecodedBlock.Ending {
        do {
            while count < output.count {
                if pendingOffset == pending.count {
                    compressedOffset += Int64(pending.count)
                    pending = try file.read(upTo: Self.readSize)
                    pendingOffset = 0
                }
                if pending.isEmpty {
                    // End of file: take what zstd still holds, then stop.
                    try decompressor.drain(into: output, outputOffset: &count)
                    guard count < output.count else { return .more }
                    return decompressor.isAtFrameBoundary ? .endOfInput : .problem(.truncated,
                        "the last zstd frame ends early at byte \(compressedOffset) (a torn tail); records before it were read")
                }
                try pending.withUnsafeBytes { input in
                    try decompressor.decompress(input, inputOffset: &pendingOffset, into: output, outputOffset: &count)
                }
            }
            return .more
        } catch {
            return .problem(.corruptFrame,
                "\(error) near compressed byte \(compressedOffset + Int64(pendingOffset)); the rest of this segment is skipped")
        }
    }
}

/// The bytes of a plain (uncompressed) NDJSON stream.
final class PlainFileSource: BlockSource {
    let blockSize = 1 << 20
    private let descriptor: Int32
    private let name: String

    init(descriptor: Int32, name: String) {
        self.descriptor = descriptor
        self.name = name
    }

    func fill(_ output: UnsafeMutableRawBufferPointer, count: inout Int) -> DecodedBlock.Ending {
        while count < output.count {
            let got = read(descriptor, output.baseAddress! + count, output.count - count)
            if got < 0 {
                if errno == EINTR { continue }
                return .problem(.unreadable, "read failed: \(String(cString: strerror(errno)))")
            }
            if got == 0 { return .endOfInput }
            count += got
        }
        return .more
    }
}

/// A bounded hand-off of blocks from a decoding thread to the reader, which
/// also tells the decoder which side has been waiting for the other.
final class BlockChannel: @unchecked Sendable {
    /// Blocks decoded ahead of the reader at most.
    static let capacity = 2

    struct Waits {
        /// The decoder waited for room: the reader is the slower side.
        var sender = false
        /// The reader waited for a block: the decoder is the slower side.
        var receiver = false
    }

    private let condition = NSCondition()
    private var queue: [DecodedBlock] = []
    private var isClosed = false
    private var isComplete = false
    private var waits = Waits()

    /// Waits for room, then enqueues; false if the reader has gone away.
    func send(_ block: DecodedBlock) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while queue.count >= Self.capacity && !isClosed {
            waits.sender = true
            condition.wait()
        }
        guard !isClosed else { return false }
        queue.append(block)
        if case .more = block.ending {} else { isComplete = true }
        condition.broadcast()
        return true
    }

    /// Waits for the next block; nil once the last one has been taken.
    func receive() -> DecodedBlock? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty && !isComplete && !isClosed {
            waits.receiver = true
            condition.wait()
        }
        guard !queue.isEmpty else { return nil }
        let block = queue.removeFirst()
        condition.broadcast()
        return block
    }

    /// Who waited since the last call.
    func takeWaits() -> Waits {
        condition.lock()
        defer { condition.unlock() }
        let taken = waits
        waits = Waits()
        return taken
    }

    /// The reader is done: wakes and stops the decoding thread.
    func close() {
        condition.lock()
        isClosed = true
        condition.broadcast()
        condition.unlock()
    }
}
