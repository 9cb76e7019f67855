import EventModel
import Foundation

/// Orchestrator's error answer, `{"message": …, "errorCode": …, "traceId": …}`
/// (docs/orchestrator-webhooks.md §4.5): what the emulator writes and the client reads.
public struct ErrorBody: Sendable, Equatable, Decodable {
    public var message: String
    /// Orchestrator's numeric code (`ErrorBody.invalidRequest` …); 0 when none applies.
    public var errorCode: Int
    /// `00-<32 hex>-<16 hex>-00`; older servers send none.
    public var traceId: String?

    /// A malformed body, a field outside its limits, bad OData query options.
    public static let invalidRequest = 1000
    /// Another webhook has the name.
    public static let nameAlreadyUsed = 1001
    /// No webhook with the id.
    public static let itemNotFound = 1002

    public init(message: String, errorCode: Int, traceId: String?) {
        self.message = message
        self.errorCode = errorCode
        self.traceId = traceId
    }

    /// The answer's error, or nil when the body is not Orchestrator's error shape.
    public init?(answer body: [UInt8]) {
        guard let decoded = try? JSONDecoder().decode(ErrorBody.self, from: Data(body)) else { return nil }
        self = decoded
    }

    public var json: [UInt8] {
        var writer = JSONWriter(reservingCapacity: 128 + message.utf8.count)
        writer.raw("{\"message\":")
        writer.string(message)
        writer.raw(",\"errorCode\":")
        writer.integer(errorCode)
        if let traceId {
            writer.raw(",\"traceId\":")
            writer.string(traceId)
        }
        writer.raw("}")
        return writer.bytes
    }
}
