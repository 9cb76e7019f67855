import EventModel
import Foundation
import SegmentStore

/// Writes a storm into a recording: each event becomes a record as the
/// recorder would have kept it (a POST with Orchestrator's headers), marked
/// `source: synthesized`, with `received_at` its simulated time. Segments are
/// sealed as they fill and at the end.
///
/// Simulating events and encoding-and-compressing records cost about the same
/// per event, so `write(_:progress:)` runs them on two threads with batches
/// in between (measured: 72k records/s on one thread; docs/benchmarks.md).
public final class StormRecordingWriter {
    /// The path records carry; storms have no real request path.
    public static let path = "/webhooks"
    /// What Orchestrator's deliveries carry, as a recorder keeps them.
    static let headers = [HeaderField(name: "content-type", value: "application/json; charset=utf-8"),
                          HeaderField(name: "user-agent", value: "UiPath-WebhookService/Webhooks")]
    /// Events handed between the threads at once, and batches in flight at most.
    static let batchSize = 1024
    static let batchesInFlight = 4

    private let writer: SegmentWriter
    private let instance: String
    private var seq: Int64 = 0

    public init(directory: String, instance: String) throws(SegmentStoreError) {
        self.instance = instance
        writer = try SegmentWriter(directory: directory, instance: instance, options: SegmentWriter.Options())
    }

    /// Writes every event of `simulator` and seals; returns how many were
    /// written and the arrivals behind them. `progress` is called on the
    /// writing thread after each batch with (events, arrivals, simulated time).
    public func write(_ simulator: StormSimulator,
                      progress: (_ events: Int, _ arrivals: Int, _ time: Timestamp) -> Void) throws(SegmentStoreError)
        -> (events: Int, arrivals: Int) {
        let queue = BatchQueue(capacity: Self.batchesInFlight)
        let producer = Thread {
            var simulator = simulator
            var batch: [SynthesizedEvent] = []
            batch.reserveCapacity(Self.batchSize)
            while let event = simulator.next() {
                batch.append(event)
                if batch.count == Self.batchSize {
                    guard let spent = queue.put(Batch(events: batch, arrivals: simulator.arrivals)) else { return }
                    batch.removeAll(keepingCapacity: true)
                    _ = consume spent
                }
            }
            if !batch.isEmpty { _ = queue.put(Batch(events: batch, arrivals: simulator.arrivals)) }
            queue.finish()
        }
        producer.name = "hookreel-storm"
        producer.start()
        defer { queue.cancel() }
        var arrivals = 0
        while let batch = queue.take() {
            for event in batch.events { try append(event) }
            arrivals = batch.arrivals
            if let last = batch.events.last { progress(Int(seq), arrivals, last.time) }
            queue.giveBack(batch)
        }
        try writer.seal()
        return (Int(seq), arrivals)
    }

    private func append(_ event: SynthesizedEvent) throws(SegmentStoreError) {
        seq += 1
        try writer.append(RecordedRequest(
            seq: seq, instance: instance, receivedAt: event.time, path: Self.path, headers: Self.headers,
            body: event.body, type: event.type, eventId: event.eventId, source: .synthesized))
    }
}

private struct Batch: Sendable {
    let events: [SynthesizedEvent]
    /// Arrivals so far when the batch's last event was made.
    let arrivals: Int
}

/// A bounded hand-off of batches from the simulating thread to the writer.
///
/// Written batches go back to the simulating thread to be freed there: their
/// bodies were allocated there, and freeing them on the writer made the two
/// threads contend for one malloc arena's lock (measured: 3.5% of the run in
/// futex calls).
private final class BatchQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private let capacity: Int
    // Guarded by `condition`.
    private var batches: [Batch] = []
    private var spent: [Batch] = []
    private var isFinished = false
    private var isCancelled = false

    init(capacity: Int) { self.capacity = capacity }

    /// Waits for room; nil once the reader has gone, otherwise the batches
    /// written since the last call, for the caller to free.
    func put(_ batch: Batch) -> [Batch]? {
        condition.lock()
        defer { condition.unlock() }
        while batches.count >= capacity, !isCancelled { condition.wait() }
        guard !isCancelled else { return nil }
        batches.append(batch)
        condition.broadcast()
        defer { spent.removeAll(keepingCapacity: true) }
        return spent
    }

    /// Hands a written batch back to be freed by the thread that made it.
    func giveBack(_ batch: Batch) {
        condition.lock()
        spent.append(batch)
        condition.unlock()
    }

    func finish() {
        condition.lock()
        isFinished = true
        condition.broadcast()
        condition.unlock()
    }

    /// The next batch, or nil after the last.
    func take() -> Batch? {
        condition.lock()
        defer { condition.unlock() }
        while batches.isEmpty, !isFinished { condition.wait() }
        guard !batches.isEmpty else { return nil }
        condition.broadcast()
        return batches.removeFirst()
    }

    /// The reader stops early (a write failed): the producer stops too.
    func cancel() {
        condition.lock()
        isCancelled = true
        condition.broadcast()
        condition.unlock()
    }
}
