import Delivery
import EventModel
import NIOCore
import HTTPWire
import Primitives

/// How each request differs from what was recorded.
public struct ReplayRewrites: Sendable {
    /// Re-sign every body with this secret; otherwise the recorded
    /// `X-UiPath-Signature` is sent as recorded.
    public var signature: WebhookSignature?
    /// Give every event a new unique `EventId`.
    public var freshEventIds = false
    /// Give each pass its own jobs and queue items: new `Key`s and `Id`s,
    /// the same in every event of one entity within the pass (`FreshEntities`).
    public var freshEntities = false
    /// Shift each pass's times so its first event's `Timestamp` is the moment
    /// the pass starts.
    public var rebaseTimestamps = false
    /// Added to (or replacing) Orchestrator's headers.
    public var extraHeaders: [(name: String, value: String)] = []

    public init(signature: WebhookSignature? = nil, freshEventIds: Bool = false, freshEntities: Bool = false,
                rebaseTimestamps: Bool = false, extraHeaders: [(name: String, value: String)] = []) {
        self.signature = signature
        self.freshEventIds = freshEventIds
        self.freshEntities = freshEntities
        self.rebaseTimestamps = rebaseTimestamps
        self.extraHeaders = extraHeaders
    }
}

extension DeliveryRequestEncoder {
    /// The encoder of a run's requests: Orchestrator's headers (docs/orchestrator-webhooks.md
    /// §1.2), with the
    /// rewrites' extra headers added or replacing them (case-insensitively).
    /// A signature header given there is sent as given instead of each
    /// request's own.
    static func forReplay(to target: DeliveryTarget, rewrites: ReplayRewrites) throws(HTTPWireError) -> DeliveryRequestEncoder {
        var fields = OrchestratorHeaders.fields.map { (name: $0.name, value: $0.value) }
        for header in rewrites.extraHeaders {
            fields.removeAll { $0.name.lowercased() == header.name.lowercased() }
            fields.append(header)
        }
        let hasFixedSignature = fields.contains { $0.name.lowercased() == WebhookSignature.headerName.lowercased() }
        return try DeliveryRequestEncoder(target: target, fields: fields,
                                          signatureName: hasFixedSignature ? nil : WebhookSignature.headerName)
    }
}

/// Turns source events into ready requests: asks the pacer for each one's send
/// time, applies the rewrites, builds Orchestrator's headers, and finds the
/// entity for `--order entity`.
final class RequestPreparer: IteratorProtocol {
    private let source: any ReplayEventSource
    private let encoder: DeliveryRequestEncoder
    /// Whether requests carry their own signature (no fixed one among the extra headers).
    private let signsEachRequest: Bool
    private var pacer: any Pacer
    private let rewrites: ReplayRewrites
    private let ordersByEntity: Bool
    private let shard: Shard?
    private let runStart: Timestamp?
    private let now: () -> Timestamp
    private let seed: UInt64
    private var pass = -1
    private var timeShiftSeconds: Int64?
    private var freshIds: FreshEventIds
    private var isStopped = false
    /// The first event, read ahead by `prepare()`.
    private var prepared: PacedEvent<DeliveryRequest>?
    private var isPrepared = false

    /// - Parameter shard: when given, only this shard's events come out; the
    ///   others still take their place in the schedule, their fresh EventId and
    ///   their pass's time shift, so the shards together send exactly what one
    ///   unsharded run would.
    /// - Parameter runStart: when the run's clock starts, if known ahead
    ///   (`--start-at`): a pass's times are then rebased onto its first
    ///   event's scheduled time, the same in every shard; otherwise onto the
    ///   moment that event is prepared.
    /// - Throws: when an extra header cannot be sent as given.
    init(source: any ReplayEventSource, target: DeliveryTarget, pacer: any Pacer, rewrites: ReplayRewrites,
         ordersByEntity: Bool, shard: Shard? = nil, seed: UInt64, runStart: Timestamp? = nil,
         now: @escaping () -> Timestamp = Timestamp.now) throws(HTTPWireError) {
        self.source = source
        encoder = try .forReplay(to: target, rewrites: rewrites)
        signsEachRequest = !rewrites.extraHeaders.contains { $0.name.lowercased() == WebhookSignature.headerName.lowercased() }
        self.pacer = pacer
        self.rewrites = rewrites
        self.ordersByEntity = ordersByEntity
        self.shard = shard
        self.runStart = runStart
        self.now = now
        self.seed = seed
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
            // Found once, in the recorded body, for the order and the shard both:
            // a shard owns the same recorded entities in every pass, fresh or not.
            let entity = ordersByEntity || shard != nil ? event.type.flatMap { EntityKey.entityKey(ofEventBody: event.body, type: $0) } : nil
            let isSent = shard?.owns(eventBody: event.body, entity: entity) ?? true
            let rewrite = nextRewrite(of: event.body, sendTime: sendTime, isSent: isSent)
            guard isSent else { continue }
            let body = rewrite.isIdentity ? event.body : rewrite.apply(to: event.body) ?? event.body
            return PacedEvent(payload: request(for: event, body: body), sendTime: sendTime, entity: ordersByEntity ? entity : nil)
        }
        return nil
    }

    /// The rewrite of the next event in the stream, whichever shard sends it:
    /// every event takes its place in the fresh-id count and its pass's time
    /// shift, and only one this process sends gets its ids written.
    private func nextRewrite(of body: [UInt8], sendTime: SendTime, isSent: Bool) -> EventBodyRewrite {
        var rewrite = EventBodyRewrite()
        if rewrites.freshEventIds {
            if isSent { rewrite.eventId = freshIds.next() } else { freshIds.skip() }
        }
        if rewrites.freshEntities, isSent {
            rewrite.entities = FreshEntities(seed: seed, pass: pass)
        }
        if rewrites.rebaseTimestamps {
            if timeShiftSeconds == nil, let first = EventBodyRewrite.eventTimestamp(in: body) {
                let passStart: Timestamp
                if let runStart, case .at(let offset) = sendTime {
                    passStart = Timestamp(microsecondsSinceEpoch: runStart.microsecondsSinceEpoch + offset.wholeMicroseconds)
                } else {
                    passStart = now()
                }
                let shift = passStart.microsecondsSinceEpoch - first.microsecondsSinceEpoch
                timeShiftSeconds = (shift + (shift >= 0 ? 500_000 : -500_000)) / 1_000_000
            }
            rewrite.timeShiftSeconds = timeShiftSeconds ?? 0
        }
        return rewrite
    }

    private func request(for event: SourceEvent, body: [UInt8]) -> DeliveryRequest {
        guard signsEachRequest else { return encoder.encode(body: body) }
        return encoder.encode(body: body, signature: rewrites.signature?.sign(body) ?? event.recordedSignature)
    }
}

/// Unique `EventId`s for `--fresh-ids`: GUIDs in the "N" style of
/// Orchestrator's older payloads (`GUIDText`), a random per-run prefix and a count.
struct FreshEventIds {
    private let prefix: UInt64
    private var counter: UInt64 = 0

    init(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        prefix = random.next()
    }

    mutating func next() -> String {
        counter += 1
        return GUIDText.plain(prefix, counter)
    }

    /// Passes over the id of an event another shard sends.
    mutating func skip() {
        counter += 1
    }
}
