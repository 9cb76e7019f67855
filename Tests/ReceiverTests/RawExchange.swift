import Foundation

/// Sends `bytes` on a new plain TCP connection to 127.0.0.1:`port` and returns
/// what comes back: until `marker` arrived `count` times (10 s at most), or,
/// without a marker, until the server closes the connection (throwing
/// `ETIMEDOUT` when it has not within 10 s).
func exchangeRaw(port: Int, _ bytes: [UInt8], until marker: String? = nil, count: Int = 1) throws -> String {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw POSIXError(.EBADF) }
    defer { close(descriptor) }
    var timeout = timeval(tv_sec: 10, tv_usec: 0)
    setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
    guard send(descriptor, bytes, bytes.count, 0) == bytes.count else { throw POSIXError(.EIO) }
    var reply = ""
    var buffer = [UInt8](repeating: 0, count: 4096)
    while marker.map({ reply.components(separatedBy: $0).count - 1 < count }) ?? true {
        let received = recv(descriptor, &buffer, buffer.count, 0)
        if received < 0, marker == nil { throw POSIXError(.ETIMEDOUT) }
        if received <= 0 { break }
        reply += String(decoding: buffer[0..<received], as: UTF8.self)
    }
    return reply
}
