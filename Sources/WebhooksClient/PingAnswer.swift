import Foundation
import OrchestratorAPI

/// The Ping action's answer: the `ping` event Orchestrator delivered
/// (docs/orchestrator-webhooks.md §3.8), as sent and with its envelope read.
public struct PingAnswer: Sendable, Equatable {
    /// The answer's bytes, `@odata.context` included.
    public var json: [UInt8]
    /// `ping`
    public var type: String
    public var eventId: String
    public var timestamp: String

    init(answer body: [UInt8]) throws(WebhookBodyError) {
        struct Envelope: Decodable {
            var type: String
            var eventId: String
            var timestamp: String
            enum CodingKeys: String, CodingKey {
                case type = "Type"
                case eventId = "EventId"
                case timestamp = "Timestamp"
            }
        }
        guard let envelope = try? JSONDecoder().decode(Envelope.self, from: Data(body)) else {
            throw WebhookBodyError("The answer must be a ping event with Type, EventId and Timestamp strings.")
        }
        json = body
        type = envelope.type
        eventId = envelope.eventId
        timestamp = envelope.timestamp
    }
}
