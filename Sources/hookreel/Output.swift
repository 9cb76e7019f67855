import Glibc

/// Buffered writes to a file descriptor: stdout for results, stderr for diagnostics.
struct OutputStream {
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private let capacity: Int

    init(descriptor: Int32, capacity: Int = 1 << 20) {
        self.descriptor = descriptor
        self.capacity = capacity
        buffer.reserveCapacity(capacity)
    }

    static func standardOutput() -> OutputStream { OutputStream(descriptor: STDOUT_FILENO) }

    mutating func write<Bytes: Sequence<UInt8>>(_ bytes: Bytes) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= capacity { flush() }
    }

    mutating func write(_ text: String) { write(text.utf8) }

    mutating func flush() {
        var offset = 0
        while offset < buffer.count {
            let written = buffer.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                // The reader went away (e.g. `| head`): stop quietly, like other filters.
                exit(errno == EPIPE ? 0 : 1)
            }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
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
