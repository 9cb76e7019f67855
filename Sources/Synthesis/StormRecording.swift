import EventModel
import Foundation
import SegmentStore

/// Writes a storm into a recording: each event becomes a record as the
/// recorder would have kept it (a POST with Orchestrator's headers), marked
/// `source: synthesized`, with `received_at` its simulated time. Segments are
/// sealed as they fill and at the end.
///
/// `write(_:progress:)` runs on two threads with batches in between: one
/// simulates, the other compresses and writes, and encoding records goes to
/// whichever has time. Measured in docs/benchmarks.md.
public final class StormRecordingWriter {
    /// The path records carry; storms have no real request path.
    public static let path = "/webhooks"
    /// What Orchestrator's deliveries carry, as a recorder keeps them.
    static let headers = OrchestratorHeaders.fields.map { HeaderField(name: $0.name.lowercased(), value: $0.value) }
    /// Records handed between the threads at once (small enough to stay in
    /// cache), and batches in flight at most.
    static let batchSize = 64
    static let batchesInFlight = 8

    private let writer: SegmentWriter
    private let instance: String

    public init(directory: String, instance: String) throws(SegmentStoreError) {
        self.instance = instance
        writer = try SegmentWriter(directory: directory, instance: instance, options: SegmentWriter.Options())
    }

    /// Writes every event of `simulator` (of `shard`, when given) and seals;
    /// returns how many were written and the arrivals behind them. `progress`
    /// is called on the writing thread after each batch with (events,
    /// arrivals, simulated time).
    public func write(_ simulator: StormSimulator, shard: Shard? = nil,
                      progress: (_ events: Int, _ arrivals: Int, _ time: Timestamp) -> Void) throws(SegmentStoreError)
        -> (events: Int, arrivals: Int) {
        let queue = BatchQueue(capacity: Self.batchesInFlight)
        let instance = instance
        let producer = Thread {
            var simulator = simulator
            var batch = Batch()
            var kept = (events: 0, arrivals: 0)
            while let event = simulator.next() {
                if let shard, !shard.owns(event) { continue }
                batch.events.append(event)
                kept.events += 1
                if event.startsArrival { kept.arrivals += 1 }
                if batch.events.count == Self.batchSize {
                    batch.finish(events: kept.events, arrivals: kept.arrivals)
                    // Encoding is cheapest here, with the bodies still in cache;
                    // but when the writer is waiting for work, it encodes.
                    if !queue.isWriterStarving { batch.encode(instance: instance) }
                    guard let reused = queue.put(batch) else { return }
                    batch = reused
                }
            }
            if !batch.events.isEmpty {
                batch.finish(events: kept.events, arrivals: kept.arrivals)
                _ = queue.put(batch)
            }
            queue.finish()
        }
        producer.name = "hookreel-storm"
        producer.start()
        defer { queue.cancel() }
        var written = (events: 0, arrivals: 0)
        while var batch = queue.take() {
            batch.encode(instance: instance)
            try writer.append(batch.records)
            written = (batch.lastSeq, batch.arrivals)
            progress(batch.lastSeq, batch.arrivals, batch.lastTime)
            queue.giveBack(batch)
        }
        try writer.seal()
        return written
    }
}

/// Events of a storm on their way into the recording: made by the
/// simulating thread, encoded by whichever thread has time, written by the
/// writer, then handed back to be refilled (its buffers are kept).
private struct Batch: @unchecked Sendable {
    var events: [SynthesizedEvent] = []
    var records = EncodedRecordBatch()
    /// The `seq` of the last event, and the arrivals and storm time up to it.
    var lastSeq = 0
    var arrivals = 0
    var lastTime = Timestamp(microsecondsSinceEpoch: 0)

    init() {
        events.reserveCapacity(StormRecordingWriter.batchSize)
    }

    /// Closes the batch after the `events`-th event written, which completes `arrivals` arrivals.
    mutating func finish(events written: Int, arrivals: Int) {
        lastSeq = written
        self.arrivals = arrivals
        lastTime = events.last?.time ?? lastTime
    }

    /// Turns the events into records (`seq` counts events from 1); does
    /// nothing when that was done already.
    mutating func encode(instance: String) {
        guard records.count == 0 else { return }
        var seq = Int64(lastSeq - events.count)
        for event in events {
            seq += 1
            records.append(RecordedRequest(
                seq: seq, instance: instance, receivedAt: event.time, path: StormRecordingWriter.path,
                headers: StormRecordingWriter.headers, body: event.body, type: event.type, eventId: event.eventId,
                source: .synthesized))
        }
    }

    /// Empties the batch for reuse. Called on the simulating thread, which
    /// allocated the bodies: freeing them on the writer made the two threads
    /// contend for one malloc arena's lock (measured: 3.5% of a run in futex calls).
    mutating func removeAll() {
        events.removeAll(keepingCapacity: true)
        records.removeAll()
    }
}

/// A bounded hand-off of batches from the simulating thread to the writer,
/// and back again to be refilled (their buffers are kept).
private final class BatchQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private let capacity: Int
    // Guarded by `condition`.
    private var batches: [Batch] = []
    private var spent: [Batch] = []
    private var isFinished = false
    private var isCancelled = false

    init(capacity: Int) { self.capacity = capacity }

    /// Waits for room; nil once the reader has gone, otherwise an empty batch
    /// to fill next.
    func put(_ batch: Batch) -> Batch? {
        condition.lock()
        while batches.count >= capacity, !isCancelled { condition.wait() }
        guard !isCancelled else {
            condition.unlock()
            return nil
        }
        batches.append(batch)
        condition.broadcast()
        let reused = spent.popLast()
        condition.unlock()
        guard var reused else { return Batch() }
        reused.removeAll()
        return reused
    }

    /// Whether the writer has nothing queued: it has time to encode.
    var isWriterStarving: Bool {
        condition.lock()
        defer { condition.unlock() }
        return batches.isEmpty
    }

    /// Hands a written batch back for refilling.
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
