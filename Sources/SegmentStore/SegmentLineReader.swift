import Foundation

/// Streams the NDJSON lines of one segment file. Accepts anything `zstd`
/// produces: one or many frames, skippable frames, an empty file. Problems are
/// handed to `report` and end or skip as `ReadIssue` describes.
///
/// Decompression runs on a thread of its own, a couple of blocks ahead of the
/// caller, so reading a segment costs about max(decompress, parse) instead of
/// their sum (measured: `cat` went from 0.32x to ... of zstdcat's throughput;
/// scripts/bench-segments.sh). Memory stays bounded: at most
/// `BlockChannel.capacity` blocks wait.
final class SegmentLineReader {
    let segment: String
    private let report: (ReadIssue) -> Void
    private let channel: BlockChannel?

    /// The block lines are being taken from: `block.bytes[cursor...]` is unread.
    private var block = DecodedBlock(bytes: [], ending: .more)
    private var cursor = 0
    private(set) var lineNumber = 0
    private var isFinished = false

    init(path: String, segment: String, report: @escaping (ReadIssue) -> Void) {
        self.segment = segment
        self.report = report
        do {
            let decoder = try SegmentDecoder(path: path)
            let channel = BlockChannel()
            self.channel = channel
            Thread { decoder.run(into: channel) }.start()
        } catch {
            report(ReadIssue(.unreadable, segment: segment, line: nil, "\(error)"))
            channel = nil
            isFinished = true
        }
    }

    deinit {
        channel?.close()
    }

    /// The next line (without its newline) and its 1-based number, or nil at the end.
    func nextLine() -> (bytes: ArraySlice<UInt8>, number: Int)? {
        while true {
            let bytes = block.bytes
            if cursor < bytes.count {
                let end = findNewline(in: bytes) ?? bytes.count
                // Only a block's last line can lack its newline (a torn or
                // unterminated end); it is handed on so a whole record is kept,
                // and the caller reports it if it does not parse.
                let line = bytes[cursor..<end]
                cursor = end + 1
                lineNumber += 1
                if isBlank(line) { continue }
                return (line, lineNumber)
            }
            if isFinished { return nil }
            switch block.ending {
            case .more:
                guard let next = channel?.receive() else {
                    isFinished = true
                    return nil
                }
                block = next
                cursor = 0
            case .endOfInput:
                isFinished = true
            case .problem(let kind, let detail):
                isFinished = true
                report(ReadIssue(kind, segment: segment, line: lineNumber + 1, detail))
            }
        }
    }

    private func findNewline(in bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBufferPointer { buffer -> Int? in
            let start = buffer.baseAddress! + cursor
            guard let found = memchr(start, 0x0A, buffer.count - cursor) else { return nil }
            return cursor + (UnsafeRawPointer(found) - UnsafeRawPointer(start))
        }
    }

    private func isBlank(_ line: ArraySlice<UInt8>) -> Bool {
        line.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
    }
}

/// Decompressed bytes that end at a line boundary (except the last block),
/// and what follows them.
struct DecodedBlock: Sendable {
    enum Ending: Sendable {
        /// Another block follows.
        case more
        /// The file ended cleanly.
        case endOfInput
        /// The file ended in a torn frame, or its bytes do not decode.
        case problem(ReadIssue.Kind, String)
    }

    var bytes: [UInt8]
    var ending: Ending
}

/// Turns a segment file into `DecodedBlock`s. Created by the reader, then
/// owned by its decoding thread alone.
final class SegmentDecoder: @unchecked Sendable {
    /// Compressed bytes read per system call.
    static let readSize = 256 << 10
    /// Bounds of the decompressed bytes per block: about what the file holds,
    /// so small segments do not cost large buffers.
    static let minimumBlockSize = 64 << 10
    static let maximumBlockSize = 4 << 20

    private let file: PosixFile
    private let decompressor: ZstdDecompressor
    private let blockSize: Int
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
            guard channel.send(DecodedBlock(bytes: bytes, ending: ending)) else { return }
            if case .more = ending { continue }
            return
        }
    }

    /// A block: `carry`, then newly decompressed bytes until the block is full,
    /// the file ends, or the data does not decode.
    private func fill(after carry: ArraySlice<UInt8>) -> ([UInt8], DecodedBlock.Ending) {
        let capacity = carry.count + blockSize
        var ending = DecodedBlock.Ending.more
        let bytes = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            let output = UnsafeMutableRawBufferPointer(buffer)
            carry.withUnsafeBytes { output.copyMemory(from: $0) }
            count = carry.count
            do {
                while count < capacity {
                    if pendingOffset == pending.count {
                        compressedOffset += Int64(pending.count)
                        pending = try file.read(upTo: Self.readSize)
                        pendingOffset = 0
                    }
                    if pending.isEmpty {
                        // End of file: take what zstd still holds, then stop.
                        try decompressor.drain(into: output, outputOffset: &count)
                        if count < capacity {
                            ending = decompressor.isAtFrameBoundary ? .endOfInput : .problem(.truncated,
                                "the last zstd frame ends early at byte \(compressedOffset) (a torn tail); records before it were read")
                        }
                        return
                    }
                    try pending.withUnsafeBytes { input in
                        try decompressor.decompress(input, inputOffset: &pendingOffset, into: output, outputOffset: &count)
                    }
                }
            } catch {
                ending = .problem(.corruptFrame,
                    "\(error) near compressed byte \(compressedOffset + Int64(pendingOffset)); the rest of this segment is skipped")
            }
        }
        return (bytes, ending)
    }
}

/// A bounded hand-off of blocks from a decoding thread to the reader.
final class BlockChannel: @unchecked Sendable {
    /// Blocks decoded ahead of the reader at most.
    static let capacity = 2

    private let condition = NSCondition()
    private var queue: [DecodedBlock] = []
    private var isClosed = false
    private var isComplete = false

    /// Waits for room, then enqueues; false if the reader has gone away.
    func send(_ block: DecodedBlock) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while queue.count >= Self.capacity && !isClosed { condition.wait() }
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
        while queue.isEmpty && !isComplete && !isClosed { condition.wait() }
        guard !queue.isEmpty else { return nil }
        let block = queue.removeFirst()
        condition.broadcast()
        return block
    }

    /// The reader is done: wakes and stops the decoding thread.
    func close() {
        condition.lock()
        isClosed = true
        condition.broadcast()
        condition.unlock()
    }
}
