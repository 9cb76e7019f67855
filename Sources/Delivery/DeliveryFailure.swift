import Glibc
import NIOCore
import NIOPosix
import NIOSSL

/// Why a request got no response, in the classes a load report counts.
public enum DeliveryFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// No response within the timeout (or the connection did not open in time).
    case timeout
    /// The target refused the connection.
    case refused
    /// The connection was closed or reset before the response was complete.
    case reset
    /// The answer was not HTTP/1.1 that can be read one way only (HTTPWire refused it).
    case protocolViolation(String)
    case other(String)

    public var description: String {
        switch self {
        case .timeout: "timeout"
        case .refused: "connection refused"
        case .reset: "connection reset"
        case .protocolViolation(let reason): "protocol: \(reason)"
        case .other(let reason): reason
        }
    }

    /// Classifies a failure to open a connection.
    init(connectError error: any Error) {
        if let connectionError = error as? NIOConnectionError {
            let causes = connectionError.connectionErrors.map(\.error)
            if let first = causes.first {
                self.init(ioError: first)
                if case .other = self { self = .other("cannot connect: \(first)") }
                return
            }
            if let dnsError = connectionError.dnsAError ?? connectionError.dnsAAAAError {
                self = .other("cannot resolve host: \(dnsError)")
                return
            }
        }
        self.init(ioError: error)
    }

    /// Classifies an error raised on an open (or opening) connection.
    init(ioError error: any Error) {
        if case .connectTimeout = error as? ChannelError {
            self = .timeout
            return
        }
        switch error as? NIOSSLError {
        case .uncleanShutdown?, .handshakeFailed(.sslError([.eofDuringHandshake]))?:
            // The peer closed the TCP connection without ending TLS, or
            // before the handshake was done (a receiver shedding connections).
            self = .reset
            return
        default:
            break
        }
        if error is NIOSSLError || error is NIOSSLExtraError || error is BoringSSLError {
            self = .other("TLS: \(error)")
            return
        }
        if let ioError = error as? IOError {
            switch ioError.errnoCode {
            case ECONNREFUSED: self = .refused
            case ECONNRESET, EPIPE, ECONNABORTED: self = .reset
            case ETIMEDOUT: self = .timeout
            default: self = .other("\(ioError)")
            }
            return
        }
        self = .other("\(error)")
    }
}
