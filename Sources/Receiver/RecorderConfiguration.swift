import Delivery
import EventModel
import Foundation
import SegmentStore

/// Everything `hookreel record` is told (defaults as its `--help` states them).
public struct RecorderConfiguration: Sendable {
    public var host = "127.0.0.1"
    /// 0 picks a free port (see `Recorder.port`).
    public var port = 0
    /// Serve https with this certificate; nil: http.
    public var tls: ServerTLS?
    /// The recording directory.
    public var directory: String
    public var instance: String
    /// Verifies `X-UiPath-Signature` when set; otherwise verdicts are `unchecked`.
    public var secret: String?
    /// Answer 401 to a request whose signature is missing or invalid.
    public var requireSignature = false
    /// Record requests answered 401 too (with their verdict and status).
    public var recordRejected = false
    public var durability = Durability.fsync
    public var segmentOptions = SegmentWriter.Options()
    /// Larger bodies are answered 413 and not recorded.
    public var maximumBodyBytes = 1 << 20
    /// The status a recorded request is answered with.
    public var responseStatus = 202
    /// Pass-through mode: forward each request here and answer with its response.
    public var forwardURL: String?
    public var forwardTimeout: Duration = .seconds(60)
    /// How an https `forwardURL` is reached, when the system's defaults are
    /// not enough (a client certificate).
    public var forwardTLS: DeliveryTLS?
    /// A connection that sends nothing for this long is closed.
    public var idleTimeout: Duration = .seconds(60)
    /// A request's head and body must arrive within this, or the connection is closed.
    public var requestTimeout: Duration = .seconds(30)
    /// Threads serving connections; nil picks by durability (`defaultServerThreads`).
    public var serverThreads: Int?
    /// Values replaced in every kept body before it is written (`--redact`).
    public var redaction: BodyRedaction?
    /// With `redaction`: a body that is not JSON is answered 422 and not kept
    /// (otherwise it is kept as it is, since no pointer can apply to it).
    public var redactsStrictly = false
    /// Keep only deliveries whose event type matches one of these (`--only-type`); empty keeps all.
    public var onlyTypes: [EventTypePattern] = []
    /// Do not keep deliveries whose event type matches one of these (`--skip-type`).
    public var skipTypes: [EventTypePattern] = []

    /// With `fsync`, one core is left to the record log's writer thread, which
    /// syncs while the loops serve; with `flush` and `async` the writer is light
    /// and every core serves. (Measured on 2 cores, scripts/bench-recorder.sh:
    /// fsync 27-30k requests/s with one loop against 24k with two; async 31-33k
    /// with one against 38-39k with two.)
    public var defaultServerThreads: Int {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        return durability == .fsync ? max(1, cores - 1) : max(1, cores)
    }

    public init(directory: String, instance: String) {
        self.directory = directory
        self.instance = instance
    }

    /// A stable instance id for a recorder on `hostName` writing into
    /// `directory` (an absolute path): the host name, then a hash of the path,
    /// so restarts continue the same `seq` sequence and two recorders on one
    /// host writing into different directories differ.
    public static func defaultInstance(hostName: String, directory: String) -> String {
        let allowed = SegmentFileName.instanceCharacters
        let host = String(hostName.map { allowed.contains($0) ? $0 : "-" }.prefix(40))
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325  // FNV-1a: stable across runs and platforms
        for byte in directory.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01B3
        }
        let suffix = String(hash >> 32, radix: 16)
        return (host.isEmpty ? "recorder" : host) + "-" + String(repeating: "0", count: 8 - suffix.count) + suffix
    }
}
