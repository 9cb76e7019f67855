import Glibc

/// Buffered writes to a file descriptor: stdout for results, stderr for diagnostics.
struct OutputStream {
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private let capacity: Int
    /// Lines that lie back to back in memory, newlines included (as the lines of
    /// one decoded block do), written later in one go straight from that memory.
    /// `run` keeps the memory alive; `runStart`/`runLength` locate the bytes.
    private var run: ArraySlice<UInt8>?
    private var runStart: UnsafeRawPointer?
    private var runLength = 0

    init(descriptor: Int32, capacity: Int = 1 << 20) {
        self.descriptor = descriptor
        self.capacity = capacity
        buffer.reserveCapacity(capacity)
    }

    static func standardOutput() -> OutputStream { OutputStream(descriptor: STDOUT_FILENO) }

    mutating func write<Bytes: Sequence<UInt8>>(_ bytes: Bytes) {
        flushRun()
        buffer.append(contentsOf: bytes)
        if buffer.count >= capacity { flush() }
    }

    mutating func write(_ text: String) { write(text.utf8) }

    /// Writes `line` and a newline. A line that continues the previous one in
    /// memory (the newline between them already there, as in a decoded block)
    /// joins a run that is later written straight from that memory, uncopied.
    mutating func writeLine(_ line: ArraySlice<UInt8>) {
        line.withUnsafeBytes { bytes in
            if let start = bytes.baseAddress, let runStart, runStart + runLength + 1 == start,
               start.load(fromByteOffset: -1, as: UInt8.self) == UInt8(ascii: "\n") {
                runLength += 1 + bytes.count
            } else {
                flushRun()
                run = line
                runStart = bytes.baseAddress
                runLength = bytes.count
            }
        }
        if runLength >= capacity { flushRun() }
    }

    mutating func flush() {
        flushRun()
        emit(UnsafeRawBufferPointer(start: nil, count: 0))
    }

    /// Ends the run: short runs are copied into the buffer, long ones written directly.
    private mutating func flushRun() {
        guard run != nil else { return }
        let bytes = UnsafeRawBufferPointer(start: runStart, count: runLength)
        if runLength < Self.directWriteThreshold {
            buffer.append(contentsOf: bytes)
        } else {
            emit(bytes)
        }
        buffer.append(UInt8(ascii: "\n"))
        run = nil
        runStart = nil
        runLength = 0
        if buffer.count >= capacity { emit(UnsafeRawBufferPointer(start: nil, count: 0)) }
    }

    /// Runs at least this long are written from their own memory rather than copied.
    private static let directWriteThreshold = 64 << 10

    /// Writes the buffer, then `extra`.
    private mutating func emit(_ extra: UnsafeRawBufferPointer) {
        buffer.withUnsafeBytes { writeAll($0) }
        buffer.removeAll(keepingCapacity: true)
        writeAll(extra)
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                // The reader went away (e.g. `| head`): stop quietly, like other filters.
                exit(errno == EPIPE ? 0 : 1)
            }
            offset += written
        }
    }
}

/// Diagnostics on stderr, prefixed with the program name.
enum Diagnostics {
    static func warning(_ message: String) {
        FileHandleStderr.write("hookreel: warning: \(message)\n")
    }

    static func note(_ message: String) {
        FileHandleStderr.write("hookreel: \(message)\n")
    }
}

enum FileHandleStderr {
    static func write(_ text: String) {
        var text = text
        text.withUTF8 { bytes in _ = Glibc.write(STDERR_FILENO, bytes.baseAddress, bytes.count) }
    }
}
