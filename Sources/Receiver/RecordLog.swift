import EventModel
import Foundation
import SegmentStore

/// When the recorder may answer 2xx (docs/recording-format.md, "Durability contract").
public enum Durability: String, Sendable, CaseIterable {
    /// After the record is written and fsync'd; concurrent requests share one fsync.
    case fsync
    /// After write(2) returned for the record.
    case flush
    /// At once; the writer thread writes the record within 100 ms (it waits
    /// `RecordLog.asyncBatchDelay` for a batch to gather).
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
    /// In `async` mode the writer waits this long for a batch to gather, well
    /// inside the 100 ms within which the mode promises to write a record.
    static let asyncBatchDelay: TimeInterval = 0.005
    /// How often an idle log checks whether its segment is due for sealing by age.
    static let idleWakeInterval: TimeInterval = 1

    /// Runs once the record is written (as durably as `durability` says) or has
    /// failed, on the writer thread, with the record as written (`seq` set).
    public typealias Completion = @Sendable (Result<RecordedRequest, SegmentStoreError>) -> Void

    public let durability: Durability
    /// What start-up recovery did with segments a previous run left open.
    public let recoveryReports: [RecoveryReport]

    private let writer: SegmentWriter
    private let observer: any RecordLogObserver
    private let condition = NSCondition()
    /// A record to write, built on the writer thread (see `append(building:)`).
    private typealias Entry = (build: @Sendable () -> RecordedRequest, completion: Completion)
    private var queue: [Entry] = []
    private var isClosing = false
    /// Set by the writer thread before it signals `finished`; read after that.
    private var sealFailure: SegmentStoreError?
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

    /// Hands in a record (its `seq` is replaced). In `async` mode a caller
    /// answers without waiting for `completion`; in the other modes it waits.
    @discardableResult
    public func append(_ record: RecordedRequest, completion: @escaping Completion) -> Bool {
        append(building: { record }, completion: completion)
    }

    /// Like `append(_:completion:)`, but the record is built by `build` on the
    /// writer thread: request threads hand over what they received and go back
    /// to serving connections (the recorder's event loops are its busiest threads).
    /// Returns false, after completing with a failure, once the log is closing.
    @discardableResult
    public func append(building build: @escaping @Sendable () -> RecordedRequest, completion: @escaping Completion) -> Bool {
        condition.lock()
        guard !isClosing else {
            condition.unlock()
            completion(.failure(SegmentStoreError(.cannotWrite, path: writer.directory, "the recorder is shutting down")))
            return false
        }
        queue.append((build, completion))
        condition.signal()
        condition.unlock()
        return true
    }

    /// Writes what is queued, seals the open segment and stops the writer
    /// thread. Returns why the segment could not be sealed, if it could not:
    /// it then stays `.open` on disk (cut back to its last durable record),
    /// and the next writer on the directory recovers it.
    @discardableResult
    public func close() -> SegmentStoreError? {
        condition.lock()
        guard !isClosing else {
            condition.unlock()
            return nil
        }
        isClosing = true
        condition.signal()
        condition.unlock()
        finished.wait()
        return sealFailure
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
                Thread.sleep(forTimeInterval: Self.asyncBatchDelay)
                condition.lock()
            }
            let batch = queue
            queue.removeAll(keepingCapacity: true)
            let closing = isClosing
            condition.unlock()

            if batch.isEmpty {
                if closing { break }
                sealIfDue()
                continue
            }
            write(batch)
        }
        reportingSeals {
            do throws(SegmentStoreError) {
                try writer.seal()
            } catch {
                observer.recordLog(failed: error)
                sealFailure = error
            }
        }
    }

    /// Appends and flushes a batch, then completes each request: success once
    /// its record is durable, failure otherwise. A segment sealed in the middle
    /// of the batch (size rotation) makes the records before it durable at once
    /// (sealing fsyncs), so those succeed even if a later write of the batch fails:
    /// failing them would have the client retry a request that is already kept.
    private func write(_ batch: [Entry]) {
        var records: [RecordedRequest] = []
        records.reserveCapacity(batch.count)
        var completed = 0
        func complete(upTo end: Int, with result: (Int) -> Result<RecordedRequest, SegmentStoreError>) {
            while completed < end {
                batch[completed].completion(result(completed))
                completed += 1
            }
        }
        reportingSeals {
            do throws(SegmentStoreError) {
                for item in batch {
                    var record = item.build()
                    record.seq = (writer.lastSeq ?? 0) + 1
                    let sealedBefore = writer.sealedSegments.count
                    try writer.append(record)
                    records.append(record)
                    if writer.sealedSegments.count > sealedBefore {
                        // The append filled the segment and sealed it: everything so
                        // far, this record included, is written and fsync'd.
                        complete(upTo: records.count) { .success(records[$0]) }
                    }
                }
                let start = ContinuousClock.now
                try writer.flush(durability == .fsync ? .synced : .written)
                if durability == .fsync { observer.recordLog(synced: ContinuousClock.now - start) }
                observer.recordLog(wrote: batch.count, bytes: records.reduce(0) { $0 + $1.body.count })
                complete(upTo: batch.count) { .success(records[$0]) }
            } catch {
                observer.recordLog(failed: error)
                complete(upTo: batch.count) { _ in .failure(error) }
            }
        }
        sealIfDue()
    }

    /// Rotation by size or age, after a batch's requests were answered: a
    /// failure here is reported, and never turns a durable batch into errors.
    private func sealIfDue() {
        reportingSeals {
            do throws(SegmentStoreError) {
                try writer.sealIfDue()
            } catch {
                observer.recordLog(failed: error)
            }
        }
    }

    /// Runs `work`, then reports the segments it sealed and the open segment's size.
    private func reportingSeals(_ work: () -> Void) {
        let sealedBefore = writer.sealedSegments.count
        work()
        for name in writer.sealedSegments.dropFirst(sealedBefore) { observer.recordLog(sealed: name) }
        observer.recordLog(openSegmentBytes: writer.openSegmentBytes)
    }
}
