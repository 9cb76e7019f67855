import EventModel
import HTTPWire

/// What the recorder does with a delivery, decided without I/O: whether its
/// signature lets it in, whether its type is kept, what its record holds
/// (redacted before it leaves memory), and whether it is kept and answered or
/// passed through to the real receiver.
struct RecordingPolicy: Sendable {
    /// What happens to one delivery.
    enum Decision: Sendable {
        /// `--require-signature` and the signature is not valid: answer 401 at
        /// once; with `--record-rejected`, the record is kept as well.
        case reject(SignatureVerdict, record: RecordBuilder?)
        /// Keep the record and answer `status` once it is as durable as the
        /// durability mode promises (async: at once).
        case keep(RecordBuilder, status: Int)
        /// Pass-through: forward the request and answer with the receiver's
        /// answer; the record gets the status (built on the loop, since the
        /// forward needs its fields anyway).
        case forward(RecordedRequest)
        /// `--only-type`/`--skip-type` leave this type out: answer as usual
        /// (at once, or the receiver's answer when passing through), keep nothing.
        case skip(type: String?)
        /// `--redact-strict` and a body that is not JSON: keep nothing; answer
        /// 422, or pass it through when forwarding (capture never stops traffic).
        case refuseUnredactable
    }

    let instance: String
    let signature: WebhookSignature?
    let requiresSignature: Bool
    let recordsRejected: Bool
    let isForwarding: Bool
    /// The status a kept delivery is answered with.
    let responseStatus: Int
    let redaction: BodyRedaction?
    let redactsStrictly: Bool
    let onlyTypes: [EventTypePattern]
    let skipTypes: [EventTypePattern]

    init(configuration: RecorderConfiguration) {
        instance = configuration.instance
        signature = configuration.secret.map(WebhookSignature.init(secret:))
        requiresSignature = configuration.requireSignature
        recordsRejected = configuration.recordRejected
        isForwarding = configuration.forwardURL != nil
        responseStatus = configuration.responseStatus
        redaction = configuration.redaction
        redactsStrictly = configuration.redactsStrictly
        onlyTypes = configuration.onlyTypes
        skipTypes = configuration.skipTypes
    }

    func decide(_ request: ReceivedRequest) -> Decision {
        // Verify here only when the answer depends on it; otherwise the writer thread does.
        let verdict = requiresSignature ? verdict(of: request.bodyBytes, header: request.header(WebhookSignature.headerName)) : nil
        let isFiltered = !onlyTypes.isEmpty || !skipTypes.isEmpty
        let type = isFiltered ? EventEnvelope(scanning: request.bodyBytes)?.type : nil
        if let verdict, verdict != .valid {
            // The answer is 401 whatever the type; the filters decide only whether it is kept.
            guard recordsRejected, !isFiltered || keeps(type: type) else { return .reject(verdict, record: nil) }
            let stored = storedBody(of: request)
            return .reject(verdict, record: stored.map { builder(request, stored: $0, verdict: verdict, status: 401) })
        }
        if isFiltered, !keeps(type: type) { return .skip(type: type) }
        guard let stored = storedBody(of: request) else { return .refuseUnredactable }
        if isForwarding { return .forward(builder(request, stored: stored, verdict: verdict, status: nil).build()) }
        return .keep(builder(request, stored: stored, verdict: verdict, status: responseStatus), status: responseStatus)
    }

    /// Whether `--only-type` and `--skip-type` keep a delivery of this type
    /// (one without a type matches no pattern).
    func keeps(type: String?) -> Bool {
        let matches = { (patterns: [EventTypePattern]) in type.map { type in patterns.contains { $0.matches(type) } } ?? false }
        return (onlyTypes.isEmpty || matches(onlyTypes)) && !matches(skipTypes)
    }

    /// What the record keeps of the body: the body redacted, or as received
    /// (`.asReceived`) when there is nothing to redact; nil when it must be
    /// refused (`--redact-strict` and not JSON).
    private func storedBody(of request: ReceivedRequest) -> StoredBody? {
        guard let redaction else { return .asReceived }
        switch redaction.apply(to: request.bodyBytes) {
        case .unchanged: return .asReceived
        case .redacted(let body, let pointers): return .redacted(body: body, pointers: pointers)
        case .notJSON: return redactsStrictly ? nil : .asReceived
        }
    }

    private func verdict(of body: [UInt8], header: String?) -> SignatureVerdict {
        signature.map { $0.verify(body, header: header) } ?? .unchecked
    }

    private func builder(_ request: ReceivedRequest, stored: StoredBody, verdict: SignatureVerdict?, status: Int?) -> RecordBuilder {
        RecordBuilder(request: request, stored: stored, instance: instance, verdict: verdict, signature: signature, status: status)
    }
}

/// The body a record keeps.
enum StoredBody: Sendable {
    case asReceived
    /// Redacted on the event loop, so the received bytes never reach the record log.
    case redacted(body: [UInt8], pointers: [String])
}

/// A delivery's record, made where there is time for it: the body copied,
/// `Type` and `EventId` found, the headers lower-cased, the signature verified
/// (on the body as received) unless its verdict is already known.
struct RecordBuilder: Sendable {
    let request: ReceivedRequest
    let stored: StoredBody
    let instance: String
    let verdict: SignatureVerdict?
    let signature: WebhookSignature?
    let status: Int?

    func build() -> RecordedRequest {
        let received = request.bodyBytes
        // From the stored body: a redacted `Type` or `EventId` is not copied out of the received one.
        let envelope: EventEnvelope?
        if case .redacted(let body, _) = stored { envelope = EventEnvelope(scanning: body) } else { envelope = EventEnvelope(scanning: received) }
        let (path, query) = request.pathAndQuery
        let verdict = verdict ?? signature.map { $0.verify(received, header: request.header(WebhookSignature.headerName)) } ?? .unchecked
        var record = RecordedRequest(
            seq: 0, instance: instance, receivedAt: request.receivedAt, method: request.method.name, path: path, query: query,
            headers: request.recordedHeaders, body: received, type: envelope?.type, eventId: envelope?.eventId,
            remote: request.remote, signature: verdict, status: status, source: .recorded)
        if case .redacted(let body, let pointers) = stored {
            record.body = body
            record.redacted = pointers
        }
        return record
    }
}
