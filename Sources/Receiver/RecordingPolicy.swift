import EventModel
import HTTPWire

/// What the recorder does with a delivery, decided without I/O: whether its
/// signature lets it in, what its record holds, and whether it is kept and
/// answered or passed through to the real receiver.
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
    }

    let instance: String
    let signature: WebhookSignature?
    let requiresSignature: Bool
    let recordsRejected: Bool
    let isForwarding: Bool
    /// The status a kept delivery is answered with.
    let responseStatus: Int

    init(configuration: RecorderConfiguration) {
        instance = configuration.instance
        signature = configuration.secret.map(WebhookSignature.init(secret:))
        requiresSignature = configuration.requireSignature
        recordsRejected = configuration.recordRejected
        isForwarding = configuration.forwardURL != nil
        responseStatus = configuration.responseStatus
    }

    func decide(_ request: ReceivedRequest) -> Decision {
        // Verify here only when the answer depends on it; otherwise the writer thread does.
        let verdict = requiresSignature ? verdict(of: request.bodyBytes, header: request.header(WebhookSignature.headerName)) : nil
        if let verdict, verdict != .valid {
            return .reject(verdict, record: recordsRejected ? builder(request, verdict: verdict, status: 401) : nil)
        }
        if isForwarding { return .forward(builder(request, verdict: verdict, status: nil).build()) }
        return .keep(builder(request, verdict: verdict, status: responseStatus), status: responseStatus)
    }

    private func verdict(of body: [UInt8], header: String?) -> SignatureVerdict {
        signature.map { $0.verify(body, header: header) } ?? .unchecked
    }

    private func builder(_ request: ReceivedRequest, verdict: SignatureVerdict?, status: Int?) -> RecordBuilder {
        RecordBuilder(request: request, instance: instance, verdict: verdict, signature: signature, status: status)
    }
}

/// A delivery's record, made where there is time for it: the body copied,
/// `Type` and `EventId` found, the headers lower-cased, the signature verified
/// unless its verdict is already known.
struct RecordBuilder: Sendable {
    let request: ReceivedRequest
    let instance: String
    let verdict: SignatureVerdict?
    let signature: WebhookSignature?
    let status: Int?

    func build() -> RecordedRequest {
        let body = request.bodyBytes
        let envelope = EventEnvelope(scanning: body)
        let (path, query) = request.pathAndQuery
        let verdict = verdict ?? signature.map { $0.verify(body, header: request.header(WebhookSignature.headerName)) } ?? .unchecked
        return RecordedRequest(
            seq: 0, instance: instance, receivedAt: request.receivedAt, method: request.method.name, path: path, query: query,
            headers: request.recordedHeaders, body: body, type: envelope?.type, eventId: envelope?.eventId,
            remote: request.remote, signature: verdict, status: status, source: .recorded)
    }
}
