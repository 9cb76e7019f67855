import EventModel
import Foundation
import SegmentStore

/// When the recorder may answer 2xx (recording-format.md, "Durability contract").
public enum Durability: String, Sendable, CaseIterable {
    /// After the record is written and fsync'd; concurrent requests share one fsync.
    case fsync
    /// After write(2) returned for the record.
    case flush
    /// At once; the record is written within `RecordLog.asyncWriteDelay`.
    case async
}

/// What the log reports as it works (the recorder turns these into metrics and logs).
public protocol RecordLogObserver: Sendable {
    func recordLog(wrote records: Int, bytes: Int)
    func recordLog(synced duration: Duration)
    func recordLog(sealed segment: String)
    func recordLog(openSegmentBytes: Int64)
    func recordLog(failed error: SegmentStoreError)
}

/// The recorder's write path: requests hand in records, one writer thread
/// appends them in batches and makes each batch durable with one flush (group
/// commit), then completes every request of the batch. `seq` values are given
/// here, in append order, so they are contiguous per instance.
///
/// A failed batch fails every request in it (the recorder answers 503) and is
/// forgotten by the writer, so those records never appear later and their
/// `seq` values are used again (see `SegmentWriter.flush`).
public final class RecordLog: @unchecked Sendable {
    /// The longest a record waits in `async` mode before it is written.
    public static let asyncWriteDelay: Duration = .milliseconds(100)
    /// How often an idle log checks whether its segment is due for sealing by age.
    static let idleWakeInterval: TimeInterval = 1

    public typealias Completion = @Sendable (Result<Int64, SegmentStoreError>) -> Void

    public let durability: Durability
    /// What start-up recovery did with segments a previous run left open.
    public let recoveryReports: [RecoveryReport]

    private let writer: SegmentWriter
    private let observer: any RecordLogObserver
    private let condition = NSCondition()
    private var queue: [(record: RecordedRequest, completion: Completion?)] = []
    private var isClosing = false
    private var writerThread: Thread?
    private let finished = DispatchSemaphore(value: 0)

    /// Recovers segments `instance` left open, finds the highest `seq` on disk,
    /// and starts the writer thread.
    public init(
        directory: String, instance: String, durability: Durability,
        options: SegmentWriter.Options, observer: any RecordLogObserver
    ) throws(SegmentStoreError) {
        try Recording.createDirectory(directory)
        recoveryReports = try SegmentRecovery.recoverOpenSegments(in: directory, instance: instance)
        let lastSeq = try Recording(path: directory).lastSeq(of: instance)
        writer = try SegmentWriter(directory: directory, instance: instance, lastSeq: lastSeq, options: options)
        self.durability = durability
        self.observer = observer
        let thread = Thread { [self] in runWriter() }
        thread.name = "hookreel-record-log"
        writerThread = thread
        thread.start()
    }

    /// Hands in a record (its `seq` is replaced). `completion` runs once the
    /// record is as durable as `durability` promises, or has failed; in `async`
    /// mode it runs at once.
    public func append(_ record: RecordedRequest, completion: @escaping Completion) {
        condition.lock()
        guard !isClosing else {
            condition.unlock()
            completion(.failure(SegmentStoreError(.cannotWrite, path: writer.directory, "the recorder is shutting down")))
            return
        }
        let immediate = durability == .async
        queue.append((record, immediate ? nil : completion))
        condition.signal()
        condition.unlock()
        if immediate { completion(.success(0)) }
    }

    /// `append`, awaiting its completion.
    public func append(_ record: RecordedRequest) async throws(SegmentStoreError) -> Int64 {
        let result = await withCheckedContinuation { continuation in
            append(record) { continuation.resume(returning: $0) }
        }
        return try result.get()
    }

    /// Writes what is queued, seals the open segment and stops the writer thread.
    public func close() {
        condition.lock()
        isClosing = true
        condition.signal()
        condition.unlock()
        finished.wait()
    }

    private func runWriter() {
        defer { finished.signal() }
        while true {
            condition.lock()
            while queue.isEmpty && !isClosing {
                if !condition.wait(until: Date(timeIntervalSinceNow: Self.idleWakeInterval)) { break }
            }
            if durability == .async && !isClosing && !queue.isEmpty {
                // Let a batch gather (bounded by the async promise) instead of a write per request.
                condition.unlock()
                Thread.sleep(forTimeInterval: 0.005)
                condition.lock()
            }
            let batch = queue
            queue.removeAll(keepingCapacity: true)
            let closing = isClosing
            condition.unlock()

            if batch.isEmpty {
                if closing { break }
                sealIfExpired()
                continue
            }
            write(batch)
        }
        let sealedBefore = writer.sealedSegments.count
        do {
            try writer.seal()
        } catch {
            observer.recordLog(failed: error)
        }
        for name in writer.sealedSegments.dropFirst(sealedBefore) { observer.recordLog(sealed: name) }
    }

    private func write(_ batch: [(record: RecordedRequest, completion: Completion?)]) {
        let sealedBefore = writer.sealedSegments.count
        var seqs: [Int64] = []
        seqs.reserveCapacity(batch.count)
        var bytes = 0
        do {
            for var item in batch {
                item.record.seq = (writer.lastSeq ?? 0) + 1
                try writer.append(item.record)
                seqs.append(item.record.seq)
                bytes += item.record.body.count
            }
            let start = ContinuousClock.now
            try writer.flush(durability == .fsync ? .synced : .written)
            if durability == .fsync { observer.recordLog(synced: ContinuousClock.now - start) }
            observer.recordLog(wrote: batch.count, bytes: bytes)
            for (item, seq) in zip(batch, seqs) { item.completion?(.success(seq)) }
        } catch {
            observer.recordLog(failed: error)
            for item in batch { item.completion?(.failure(error)) }
        }
        for name in writer.sealedSegments.dropFirst(sealedBefore) { observer.recordLog(sealed: name) }
        observer.recordLog(openSegmentBytes: writer.openSegmentBytes)
    }

    private func sealIfExpired() {
        let sealedBefore = writer.sealedSegments.count
        do {
            try writer.sealIfExpired()
        } catch {
            observer.recordLog(failed: error)
        }
        for name in writer.sealedSegments.dropFirst(sealedBefore) { observer.recordLog(sealed: name) }
        observer.recordLog(openSegmentBytes: writer.openSegmentBytes)
    }
}
