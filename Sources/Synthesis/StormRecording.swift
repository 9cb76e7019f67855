import EventModel
import SegmentStore

/// Writes a storm into a recording: each event becomes a record as the
/// recorder would have kept it (a POST with Orchestrator's headers), marked
/// `source: synthesized`, with `received_at` its simulated time. Segments are
/// sealed as they fill and at `finish()`.
public final class StormRecordingWriter {
    /// The path records carry; storms have no real request path.
    public static let path = "/webhooks"

    private let writer: SegmentWriter
    private let instance: String
    private var seq: Int64 = 0

    public init(directory: String, instance: String) throws(SegmentStoreError) {
        self.instance = instance
        writer = try SegmentWriter(directory: directory, instance: instance, options: SegmentWriter.Options())
    }

    public func append(_ event: SynthesizedEvent) throws(SegmentStoreError) {
        seq += 1
        let envelope = EventEnvelope(scanning: event.body)
        try writer.append(RecordedRequest(
            seq: seq, instance: instance, receivedAt: event.time, path: Self.path,
            headers: [HeaderField(name: "content-type", value: "application/json; charset=utf-8"),
                      HeaderField(name: "user-agent", value: "UiPath-WebhookService/Webhooks")],
            body: event.body, type: event.type, eventId: envelope?.eventId, source: .synthesized))
    }

    /// Seals the open segment; returns the number of records written.
    public func finish() throws(SegmentStoreError) -> Int {
        try writer.seal()
        return Int(seq)
    }
}
