import Delivery
import EventModel
import NIOCore
import NIOHTTP1
import Primitives

/// How each request differs from what was recorded.
public struct ReplayRewrites: Sendable {
    /// Re-sign every body with this secret; otherwise the recorded
    /// `X-UiPath-Signature` is sent as recorded.
    public var signature: WebhookSignature?
    /// Give every event a new unique `EventId`.
    public var freshEventIds = false
    /// Shift each pass's times so its first event's `Timestamp` is the moment
    /// the pass starts.
    public var rebaseTimestamps = false
    /// Added to (or replacing) Orchestrator's headers.
    public var extraHeaders: [(name: String, value: String)] = []

    public init(signature: WebhookSignature? = nil, freshEventIds: Bool = false, rebaseTimestamps: Bool = false,
                extraHeaders: [(name: String, value: String)] = []) {
        self.signature = signature
        self.freshEventIds = freshEventIds
        self.rebaseTimestamps = rebaseTimestamps
        self.extraHeaders = extraHeaders
    }
}

/// Turns source events into ready requests: asks the pacer for each one's send
/// time, applies the rewrites, builds Orchestrator's headers, and finds the
/// entity for `--order entity`.
final class RequestPreparer: IteratorProtocol {
    private let source: any ReplayEventSource
    private let target: DeliveryTarget
    private var pacer: any Pacer
    private let rewrites: ReplayRewrites
    private let ordersByEntity: Bool
    private let shard: Shard?
    private let now: () -> Timestamp
    private var pass = -1
    private var timeShiftSeconds: Int64?
    private var freshIds: FreshEventIds
    private var isStopped = false
    private let allocator = ByteBufferAllocator()
    /// The first event, read ahead by `prepare()`.
    private var prepared: PacedEvent<DeliveryRequest>?
    private var isPrepared = false

    /// - Parameter shard: when given, only this shard's events come out; the
    ///   others still take their place in the schedule, their fresh EventId and
    ///   their pass's time shift, so the shards together send exactly what one
    ///   unsharded run would.
    init(source: any ReplayEventSource, target: DeliveryTarget, pacer: any Pacer, rewrites: ReplayRewrites,
         ordersByEntity: Bool, shard: Shard? = nil, seed: UInt64, now: @escaping () -> Timestamp = Timestamp.now) {
        self.source = source
        self.target = target
        self.pacer = pacer
        self.rewrites = rewrites
        self.ordersByEntity = ordersByEntity
        self.shard = shard
        self.now = now
        freshIds = FreshEventIds(seed: seed)
    }

    var skippedRecords: Int { source.skippedRecords }

    /// Reads the first event now (opening the first segment), so the run's
    /// clock can start after that cost instead of counting it as lag.
    func prepare() {
        guard !isPrepared else { return }
        prepared = readNext()
        isPrepared = true
    }

    func next() -> PacedEvent<DeliveryRequest>? {
        if !isPrepared { prepare() }
        if let event = prepared {
            prepared = nil
            return event
        }
        return readNext()
    }

    private func readNext() -> PacedEvent<DeliveryRequest>? {
        while !isStopped, let event = source.next() {
            guard let sendTime = pacer.nextSendTime(recordedAt: event.time) else {
                isStopped = true
                return nil
            }
            if event.pass != pass {
                pass = event.pass
                timeShiftSeconds = nil
            }
            let rewrite = nextRewrite(of: event.body)
            if let shard, !shard.owns(eventBody: event.body, type: event.type) { continue }
            let body = rewrite.isIdentity ? event.body : rewrite.apply(to: event.body) ?? event.body
            let entity = ordersByEntity ? event.type.flatMap { EntityKey.entityKey(ofEventBody: body, type: $0) } : nil
            return PacedEvent(payload: request(for: event, body: body), sendTime: sendTime, entity: entity)
        }
        return nil
    }

    /// The rewrite of the next event in the stream, whichever shard sends it.
    private func nextRewrite(of body: [UInt8]) -> EventBodyRewrite {
        var rewrite = EventBodyRewrite()
        if rewrites.freshEventIds { rewrite.eventId = freshIds.next() }
        if rewrites.rebaseTimestamps {
            if timeShiftSeconds == nil, let first = EventBodyRewrite.eventTimestamp(in: body) {
                let shift = now().microsecondsSinceEpoch - first.microsecondsSinceEpoch
                timeShiftSeconds = (shift + (shift >= 0 ? 500_000 : -500_000)) / 1_000_000
            }
            rewrite.timeShiftSeconds = timeShiftSeconds ?? 0
        }
        return rewrite
    }

    private func request(for event: SourceEvent, body: [UInt8]) -> DeliveryRequest {
        var headers = HTTPHeaders()
        for field in OrchestratorHeaders.fields {
            headers.add(name: field.name, value: field.value)
        }
        if let signature = rewrites.signature {
            headers.add(name: WebhookSignature.headerName, value: signature.sign(body))
        } else if let recorded = event.recordedSignature, recorded.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x7F }) {
            // A value with a CR or LF (possible in a hand-made recording)
            // would split the request; it is not sent.
            headers.add(name: WebhookSignature.headerName, value: recorded)
        }
        for header in rewrites.extraHeaders {
            headers.replaceOrAdd(name: header.name, value: header.value)
        }
        return DeliveryRequest(target: target, headers: headers, body: allocator.buffer(bytes: body))
    }
}

/// Unique `EventId`s for `--fresh-ids`: 32 lowercase hex digits (the GUID "N"
/// style of Orchestrator's older payloads), a random per-run prefix and a count.
struct FreshEventIds {
    private let prefix: UInt64
    private var counter: UInt64 = 0

    init(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        prefix = random.next()
    }

    mutating func next() -> String {
        counter += 1
        return Hex.digits(prefix) + Hex.digits(counter)
    }
}
