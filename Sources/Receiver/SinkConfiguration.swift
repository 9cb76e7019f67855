import Foundation
import Primitives
import SegmentStore

/// Everything `hookreel sink` is told (defaults as its `--help` states them).
public struct SinkConfiguration: Sendable {
    public var host = "127.0.0.1"
    /// 0 picks a free port (see `Sink.port`).
    public var port = 0
    /// Serve https with this certificate; nil: http.
    public var tls: ServerTLS?
    /// The status of a delivery that no fault hits.
    public var responseStatus = 200
    /// How long each delivery's answer is held.
    public var latency = Distribution.constant(.zero)
    /// The fraction of deliveries (0...1) answered `errorStatus` instead.
    public var errorRate = 0.0
    public var errorStatus = 500
    public var stall: StallSchedule?
    /// Seeds latency and error draws; nil picks one at random (`Sink.seed` tells which).
    public var seed: UInt64?
    /// Verifies `X-UiPath-Signature` when set and counts the verdicts.
    public var secret: String?
    /// Answer 401 to a delivery whose signature is missing or invalid.
    public var requireSignature = false
    /// Also keep every delivery in this recording, in `hookreel record`'s format;
    /// records are written within 100 ms (`Durability.async`), answers never wait for them.
    public var recording: SinkRecording?
    /// Larger bodies are answered 413 at once.
    public var maximumBodyBytes = 1 << 20
    /// Threads serving connections; nil uses one per core.
    public var serverThreads: Int?

    public init() {}

    /// `0.05` or `5%`, as a fraction in 0...1.
    public static func parseErrorRate(_ text: String) throws(SinkOptionError) -> Double {
        let isPercent = text.hasSuffix("%")
        guard let number = Double(isPercent ? String(text.dropLast()) : text), number.isFinite else {
            throw SinkOptionError(option: "--error-rate", value: text, reason: "expected a fraction like 0.05 or a percentage like 5%")
        }
        let fraction = isPercent ? number / 100 : number
        guard (0...1).contains(fraction) else {
            throw SinkOptionError(option: "--error-rate", value: text, reason: "must be from 0 to 1 (0% to 100%)")
        }
        return fraction
    }
}

/// Where and as whom the sink keeps what it receives (`--record`).
public struct SinkRecording: Sendable {
    /// The recording directory (created if missing).
    public var directory: String
    /// The writer id in segment names and records.
    public var instance: String
    public var segmentOptions = SegmentWriter.Options()

    public init(directory: String, instance: String) {
        self.directory = directory
        self.instance = instance
    }
}
