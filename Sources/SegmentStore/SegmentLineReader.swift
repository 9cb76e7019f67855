import Glibc

/// Streams the NDJSON lines of one segment file. Accepts anything `zstd`
/// produces: one or many frames, skippable frames, an empty file. Problems are
/// handed to `report` and end or skip as `ReadIssue` describes.
final class SegmentLineReader {
    /// Compressed bytes read per system call.
    static let readSize = 256 << 10

    let segment: String
    private let file: PosixFile?
    private let decompressor: ZstdDecompressor?
    private let report: (ReadIssue) -> Void

    /// Decompressed bytes; lines are handed out as slices of it. A fresh array is
    /// made for every refill so slices already handed out stay valid without copying.
    private var block: [UInt8] = []
    private var cursor = 0
    private(set) var lineNumber = 0
    private var isFinished = false
    /// Compressed bytes consumed so far (for the truncation message).
    private var compressedOffset: Int64 = 0

    init(path: String, segment: String, report: @escaping (ReadIssue) -> Void) {
        self.segment = segment
        self.report = report
        var file: PosixFile?
        var decompressor: ZstdDecompressor?
        do {
            file = try PosixFile.openForReading(path)
            decompressor = try ZstdDecompressor()
        } catch let error as SegmentStoreError {
            report(ReadIssue(.unreadable, segment: segment, line: nil, error.description))
        } catch {
            report(ReadIssue(.unreadable, segment: segment, line: nil, "\(error)"))
        }
        self.file = file
        self.decompressor = decompressor
        isFinished = decompressor == nil
    }

    /// The next line (without its newline) and its 1-based number, or nil at the end.
    func nextLine() -> (bytes: ArraySlice<UInt8>, number: Int)? {
        while true {
            if let newline = findNewline() {
                let line = block[cursor..<newline]
                cursor = newline + 1
                lineNumber += 1
                if isBlank(line) { continue }
                return (line, lineNumber)
            }
            if isFinished {
                guard cursor < block.count else { return nil }
                // A last line without a newline: handed on, so a record that is
                // whole is kept; the caller reports it if it does not parse.
                let line = block[cursor...]
                cursor = block.count
                lineNumber += 1
                if isBlank(line) { return nil }
                return (line, lineNumber)
            }
            refill()
        }
    }

    private func findNewline() -> Int? {
        guard cursor < block.count else { return nil }
        return block.withUnsafeBufferPointer { buffer -> Int? in
            let start = buffer.baseAddress! + cursor
            guard let found = memchr(start, 0x0A, buffer.count - cursor) else { return nil }
            return cursor + (UnsafeRawPointer(found) - UnsafeRawPointer(start))
        }
    }

    private func isBlank(_ line: ArraySlice<UInt8>) -> Bool {
        line.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
    }

    private func refill() {
        guard let file, let decompressor else { isFinished = true; return }
        var next: [UInt8] = []
        next.reserveCapacity(block.count - cursor + Self.readSize * 4)
        next.append(contentsOf: block[cursor...])
        block = []
        cursor = 0
        do {
            let compressed = try file.read(upTo: Self.readSize)
            if compressed.isEmpty {
                isFinished = true
                if !decompressor.isAtFrameBoundary {
                    report(ReadIssue(.truncated, segment: segment, line: lineNumber + 1,
                        "the last zstd frame ends early at byte \(compressedOffset) (a torn tail); records before it were read"))
                }
            } else {
                try compressed.withUnsafeBytes { try decompressor.decompress($0, into: &next) }
                compressedOffset += Int64(compressed.count)
            }
        } catch {
            isFinished = true
            report(ReadIssue(.corruptFrame, segment: segment, line: lineNumber + 1,
                "\(error) in the compressed bytes before offset \(compressedOffset + Int64(Self.readSize)); the rest of this segment is skipped"))
        }
        block = next
    }
}
