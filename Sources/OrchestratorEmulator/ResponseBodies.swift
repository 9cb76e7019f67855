import EventModel
import OrchestratorAPI

/// The JSON bodies the API answers with, written field by field so the order
/// is Orchestrator's (JSONEncoder's key order is not specified).
enum ResponseBodies {
    /// `@odata.context` of the Webhooks entity set, with OData's `(A,B)` for a
    /// `$select`: `<service>/odata/$metadata#Webhooks(Url,Id)`.
    static func webhooksContext(service: String, select: [String]?) -> String {
        let selected = select.map { "(" + $0.joined(separator: ",") + ")" } ?? ""
        return service + "/odata/$metadata#Webhooks" + selected
    }

    /// `{"@odata.context": …, "@odata.count": …, "value": [WebhookDto…]}`.
    static func webhookCollection(_ webhooks: [Webhook], service: String, select: [String]?, count: Int?) -> [UInt8] {
        var writer = JSONWriter(reservingCapacity: 256 + webhooks.count * 512)
        writer.raw("{\"@odata.context\":")
        writer.string(webhooksContext(service: service, select: select))
        if let count {
            writer.raw(",\"@odata.count\":")
            writer.integer(count)
        }
        writer.raw(",\"value\":[")
        for (index, webhook) in webhooks.enumerated() {
            if index > 0 { writer.raw(",") }
            writer.raw("{")
            WebhookDto.writeMembers(of: webhook, select: select, to: &writer)
            writer.raw("}")
        }
        writer.raw("]}")
        return writer.bytes
    }

    /// One `WebhookDto` with `"@odata.context": "…#Webhooks/$entity"` first.
    static func webhookEntity(_ webhook: Webhook, service: String, select: [String]?) -> [UInt8] {
        var writer = JSONWriter(reservingCapacity: 768)
        writer.raw("{\"@odata.context\":")
        writer.string(webhooksContext(service: service, select: select) + "/$entity")
        writer.raw(",")
        WebhookDto.writeMembers(of: webhook, select: select, to: &writer)
        writer.raw("}")
        return writer.bytes
    }

    /// GetEventTypes: the subscribable catalog, `{"Name", "Group"}` each, in the seed's order.
    static func eventTypes(service: String) -> [UInt8] {
        var writer = JSONWriter(reservingCapacity: 2048)
        writer.raw("{\"@odata.context\":")
        writer.string(service + "/odata/$metadata#Collection(UiPath.Application.Dto.Webhooks.WebhookEventTypeDto)")
        writer.raw(",\"value\":[")
        for (index, entry) in EventCatalog.subscribable.enumerated() {
            writer.raw(index == 0 ? "{\"Name\":" : ",{\"Name\":")
            writer.string(entry.type.rawValue)
            writer.raw(",\"Group\":")
            writer.string(entry.group.rawValue)
            writer.raw("}")
        }
        writer.raw("]}")
        return writer.bytes
    }

    /// The Ping action's answer: the delivered `ping` event with
    /// `"@odata.context": "…#UiPath.Webhooks.Dto.PingEventDto"` put first, as in the seed.
    static func pingResult(event: [UInt8], service: String) -> [UInt8] {
        var writer = JSONWriter(reservingCapacity: event.count + 128)
        writer.raw("{\"@odata.context\":")
        writer.string(service + "/odata/$metadata#UiPath.Webhooks.Dto.PingEventDto")
        // The event is a JSON object: splice its members in after ours.
        let members = event.drop { $0 != UInt8(ascii: "{") }.dropFirst()
        if members.first(where: { !isJSONWhitespace($0) }) != UInt8(ascii: "}") {
            writer.raw(",")
        }
        members.withUnsafeBytes { writer.append($0) }
        return writer.bytes
    }

    /// `{"message": …, "errorCode": …, "traceId": …}`.
    static func error(_ error: OrchestratorError, traceId: String) -> [UInt8] {
        ErrorBody(message: error.message, errorCode: error.errorCode, traceId: traceId).json
    }

    private static func isJSONWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}
