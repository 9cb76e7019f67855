import Foundation

/// A plain TCP connection to 127.0.0.1 for tests that speak HTTP byte by byte.
/// Reads give up after 10 s.
final class RawConnection {
    private let descriptor: Int32
    /// Everything received so far.
    private(set) var received = ""

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.EBADF) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(descriptor)
            throw POSIXError(.ECONNREFUSED)
        }
    }

    deinit { close(descriptor) }

    func send(_ bytes: [UInt8]) throws {
        guard Glibc.send(descriptor, bytes, bytes.count, 0) == bytes.count else { throw POSIXError(.EIO) }
    }

    /// Reads until `marker` has arrived `count` times in all, or the connection closed.
    func read(until marker: String, count: Int = 1) {
        while received.components(separatedBy: marker).count - 1 < count, readSome() > 0 {}
    }

    /// Reads until the server closes the connection; throws `ETIMEDOUT` when it has not within 10 s.
    func readToClose() throws {
        while true {
            let count = readSome()
            if count < 0 { throw POSIXError(.ETIMEDOUT) }
            if count == 0 { return }
        }
    }

    private func readSome() -> Int {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(descriptor, &buffer, buffer.count, 0)
        if count > 0 { received += String(decoding: buffer[0..<count], as: UTF8.self) }
        return count
    }
}

/// Sends `bytes` on a new connection to 127.0.0.1:`port` and returns what comes
/// back: until `marker` arrived `count` times (10 s at most), or, without a
/// marker, until the server closes the connection (throwing `ETIMEDOUT` when it
/// has not within 10 s).
func exchangeRaw(port: Int, _ bytes: [UInt8], until marker: String? = nil, count: Int = 1) throws -> String {
    let connection = try RawConnection(port: port)
    try connection.send(bytes)
    if let marker {
        connection.read(until: marker, count: count)
    } else {
        try connection.readToClose()
    }
    return connection.received
}
